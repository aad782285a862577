import { useState } from 'react';
import { App, Button, Card, Flex, Form, Input, Modal, Table, Typography, type TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { teamsApi } from '../../api/endpoints';
import { PERM, type Team } from '../../api/types';
import { useApiError } from '../../lib/useApiError';
import { usePermission } from '../auth/me';
import { useTeams } from './queries';
import { StaffSelect } from './StaffSelect';

export function TeamsPanel() {
  const { t } = useTranslation();
  const teams = useTeams();
  const canManage = usePermission(PERM.teamsManage);
  const [open, setOpen] = useState(false);

  const columns: TableColumnsType<Team> = [
    { title: t('teams.name'), dataIndex: 'name' },
    {
      title: t('teams.supervisor'),
      dataIndex: 'supervisorName',
      render: (v: string | null) => v ?? <Typography.Text type="secondary">{t('teams.noSupervisor')}</Typography.Text>,
    },
    { title: t('teams.memberCount'), dataIndex: 'memberCount', width: 120, align: 'right' },
  ];

  return (
    <>
      <Flex className="chidu-toolbar" justify="space-between" align="center" gap={8} wrap>
        <Typography.Text type="secondary">{t('teams.hint')}</Typography.Text>
        {canManage ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="team-create">
            {t('teams.create')}
          </Button>
        ) : null}
      </Flex>
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Team>
          rowKey="id"
          columns={columns}
          dataSource={teams.data?.items ?? []}
          loading={teams.isPending}
          pagination={false}
          scroll={{ x: 520 }}
          locale={{ emptyText: teams.isError ? t('common.loadFailed') : undefined }}
        />
      </Card>
      <CreateTeamModal open={open} onClose={() => setOpen(false)} />
    </>
  );
}

function CreateTeamModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name: string; supervisorId?: string }>();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (v: { name: string; supervisorId?: string }) =>
      teamsApi.create({ name: v.name.trim(), ...(v.supervisorId ? { supervisorId: v.supervisorId } : {}) }),
    onSuccess: async (team) => {
      void message.success(t('teams.created', { name: team.name }));
      await queryClient.invalidateQueries({ queryKey: ['teams'] });
      await queryClient.invalidateQueries({ queryKey: ['staff'] });
      onClose();
    },
    onError: (err) => showError(err, { form, fields: ['name', 'supervisorId'] }),
  });

  return (
    <Modal
      open={open}
      title={t('teams.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('teams.createSubmit')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)} preserve={false}>
        <Form.Item name="name" label={t('teams.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={64} placeholder={t('teams.namePlaceholder')} />
        </Form.Item>
        <Form.Item name="supervisorId" label={t('teams.supervisor')} extra={t('teams.supervisorHint')}>
          <StaffSelect placeholder={t('teams.supervisorPlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
