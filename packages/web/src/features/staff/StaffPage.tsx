import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { App, Button, Card, Dropdown, Flex, Form, Input, Modal, Select, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { DownOutlined, KeyOutlined, PlusOutlined, SafetyOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { staffApi } from '../../api/endpoints';
import { PERM, type Staff } from '../../api/types';
import { useApiError } from '../../lib/useApiError';
import { Page } from '../../layout/Page';
import { roleLabel } from '../auth/labels';
import { useFormat, usePermission } from '../auth/me';
import { useRoleOptions, useStaffList, useTeams } from './queries';
import { StaffFormDrawer } from './StaffFormDrawer';
import { TeamsPanel } from './TeamsPanel';

export default function StaffPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'teams' ? 'teams' : 'staff';

  return (
    <Page title={t('staff.title')} subtitle={t('staff.subtitle')}>
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams(key === 'teams' ? { tab: 'teams' } : {}, { replace: true })}
        items={[
          { key: 'staff', label: t('staff.tabStaff'), children: <StaffList /> },
          { key: 'teams', label: t('staff.tabTeams'), children: <TeamsPanel /> },
        ]}
      />
    </Page>
  );
}

function StaffList() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { modal, message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const roleOptions = useRoleOptions();
  const teams = useTeams();
  const canManage = usePermission(PERM.staffManage);
  const [searchText, setSearchText] = useState('');
  const [filters, setFilters] = useState<{ q?: string; role?: string; teamId?: string }>({});
  const [drawer, setDrawer] = useState<{ open: boolean; staff: Staff | null }>({ open: false, staff: null });
  const [resetFor, setResetFor] = useState<Staff | null>(null);
  const list = useStaffList(filters);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  const resetTotp = useMutation({
    mutationFn: (s: Staff) => staffApi.resetTotp(s.id),
    onSuccess: async (_, s) => {
      void message.success(t('staff.totpResetDone', { name: s.name }));
      await queryClient.invalidateQueries({ queryKey: ['staff'] });
    },
    onError: (err) => showError(err),
  });

  const confirmResetTotp = (s: Staff) => {
    modal.confirm({
      title: t('staff.resetTotpTitle', { name: s.name, employeeNo: s.employeeNo }),
      content: t('staff.resetTotpConfirm'),
      okText: t('staff.resetTotp'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: () => resetTotp.mutateAsync(s),
    });
  };

  const allColumns: TableColumnsType<Staff> = [
    { title: t('staff.employeeNo'), dataIndex: 'employeeNo', width: 96, fixed: 'left' },
    {
      title: t('staff.name'),
      dataIndex: 'name',
      width: 120,
      ellipsis: true,
      render: (name: string, s) => (
        <Typography.Text delete={!s.active} type={s.active ? undefined : 'secondary'}>
          {name}
        </Typography.Text>
      ),
    },
    {
      title: t('staff.roles'),
      dataIndex: 'roles',
      width: 150,
      render: (roles: string[]) => (
        <Flex gap={4} wrap>
          {roles.map((r) => (
            <Tag key={r} color="blue" style={{ marginInlineEnd: 0 }}>
              {roleLabel(t, r)}
            </Tag>
          ))}
        </Flex>
      ),
    },
    {
      title: t('staff.team'),
      dataIndex: 'teamName',
      width: 120,
      ellipsis: true,
      render: (v: string | null) => v ?? <Typography.Text type="secondary">—</Typography.Text>,
    },
    {
      title: t('staff.skills'),
      dataIndex: 'skills',
      render: (skills: string[]) =>
        skills.length ? (
          <Flex gap={4} wrap>
            {skills.map((s) => (
              <Tag key={s} style={{ marginInlineEnd: 0 }}>
                {s}
              </Tag>
            ))}
          </Flex>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      title: t('staff.compensationLimit'),
      dataIndex: 'compensationLimitFen',
      width: 120,
      align: 'right',
      render: (fen: number | null) => (fen === null ? <Typography.Text type="secondary">{t('staff.limitByRole')}</Typography.Text> : fmt.money(fen)),
    },
    {
      title: t('staff.status'),
      dataIndex: 'active',
      width: 80,
      render: (active: boolean) => (active ? <Tag color="success">{t('staff.statusActive')}</Tag> : <Tag>{t('staff.statusInactive')}</Tag>),
    },
    {
      title: t('staff.totp'),
      dataIndex: 'totpEnabled',
      width: 110,
      render: (on: boolean) => (on ? <Tag color="processing">{t('staff.totpOn')}</Tag> : <Tag>{t('staff.totpOff')}</Tag>),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 130,
      fixed: 'right',
      render: (_, s) => (
        <Flex gap={4} align="center">
          <Button
            type="link"
            size="small"
            style={{ paddingInline: 4 }}
            onClick={() => setDrawer({ open: true, staff: s })}
            data-testid={`staff-edit-${s.employeeNo}`}
          >
            {t('common.edit')}
          </Button>
          <Dropdown
            trigger={['click']}
            menu={{
              items: [
                { key: 'password', icon: <KeyOutlined />, label: t('staff.resetPassword') },
                {
                  key: 'totp',
                  icon: <SafetyOutlined />,
                  label: t('staff.resetTotp'),
                  disabled: !s.totpEnabled,
                  danger: s.totpEnabled,
                },
              ],
              onClick: ({ key }) => (key === 'password' ? setResetFor(s) : confirmResetTotp(s)),
            }}
          >
            <Button type="link" size="small" style={{ paddingInline: 4 }} data-testid={`staff-more-${s.employeeNo}`}>
              {t('common.more')} <DownOutlined />
            </Button>
          </Dropdown>
        </Flex>
      ),
    },
  ];
  const columns = canManage ? allColumns : allColumns.filter((c) => c.key !== 'actions');

  return (
    <>
      <Flex className="chidu-toolbar" gap={8} wrap justify="space-between">
        <Flex gap={8} wrap>
          <Input.Search
            allowClear
            placeholder={t('staff.searchPlaceholder')}
            value={searchText}
            onChange={(e) => {
              setSearchText(e.target.value);
              if (!e.target.value) setFilters((f) => ({ ...f, q: undefined }));
            }}
            onSearch={(q) => setFilters((f) => ({ ...f, q: q.trim() || undefined }))}
            style={{ width: 240 }}
            data-testid="staff-search"
          />
          <Select
            allowClear
            placeholder={t('staff.filterRole')}
            options={roleOptions}
            value={filters.role}
            onChange={(role?: string) => setFilters((f) => ({ ...f, role }))}
            style={{ width: 150 }}
          />
          <Select
            allowClear
            placeholder={t('staff.filterTeam')}
            options={(teams.data?.items ?? []).map((team) => ({ value: team.id, label: team.name }))}
            value={filters.teamId}
            onChange={(teamId?: string) => setFilters((f) => ({ ...f, teamId }))}
            style={{ width: 160 }}
          />
        </Flex>
        {canManage ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setDrawer({ open: true, staff: null })} data-testid="staff-create">
            {t('staff.create')}
          </Button>
        ) : (
          <Typography.Text type="secondary">{t('staff.readOnlyNote')}</Typography.Text>
        )}
      </Flex>
      <Card styles={{ body: { padding: 0 } }}>
        <Table<Staff>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={list.isPending || (list.isFetching && !list.isFetchingNextPage)}
          pagination={false}
          scroll={{ x: canManage ? 1000 : 870 }}
          locale={{ emptyText: list.isError ? t('common.loadFailed') : undefined }}
          data-testid="staff-table"
        />
        <Flex justify="space-between" align="center" style={{ padding: '12px 16px' }} wrap gap={8}>
          <Typography.Text type="secondary">{t('common.loadedCount', { n: rows.length })}</Typography.Text>
          {list.hasNextPage ? (
            <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
              {t('common.loadMore')}
            </Button>
          ) : rows.length > 0 ? (
            <Typography.Text type="secondary">{t('common.noMore')}</Typography.Text>
          ) : null}
        </Flex>
      </Card>
      <StaffFormDrawer open={drawer.open} staff={drawer.staff} onClose={() => setDrawer({ open: false, staff: null })} />
      <ResetPasswordModal staff={resetFor} onClose={() => setResetFor(null)} />
    </>
  );
}

function ResetPasswordModal({ staff, onClose }: { staff: Staff | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ password: string; confirm: string }>();
  const { message } = App.useApp();
  const showError = useApiError();
  const reset = useMutation({
    mutationFn: ({ id, password }: { id: string; password: string }) => staffApi.resetPassword(id, password),
    onSuccess: () => {
      void message.success(t('staff.passwordResetDone', { name: staff?.name ?? '' }));
      onClose();
    },
    onError: (err) => showError(err, { form, fields: ['password'] }),
  });

  return (
    <Modal
      open={staff !== null}
      title={staff ? t('staff.resetPasswordTitle', { name: staff.name, employeeNo: staff.employeeNo }) : ''}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('staff.resetPassword')}
      cancelText={t('common.cancel')}
      confirmLoading={reset.isPending}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('staff.resetPasswordHint')}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => staff && reset.mutate({ id: staff.id, password: v.password })} preserve={false}>
        <Form.Item
          name="password"
          label={t('staff.newPassword')}
          rules={[
            { required: true, message: t('validation.required') },
            { min: 8, message: t('validation.passwordMin', { min: 8 }) },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('profile.confirmPassword')}
          dependencies={['password']}
          rules={[
            { required: true, message: t('validation.required') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('validation.passwordMismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
