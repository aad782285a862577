import { useEffect } from 'react';
import { App, Button, Drawer, Flex, Form, Grid, Input, InputNumber, Select, Switch, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { staffApi } from '../../api/endpoints';
import type { Staff, StaffCreate, StaffPatch } from '../../api/types';
import { fenToYuan, yuanToFen } from '../../lib/money';
import { useApiError } from '../../lib/useApiError';
import { useRoleOptions, useTeams } from './queries';

interface FormValues {
  employeeNo: string;
  name: string;
  password: string;
  roles: string[];
  teamId?: string | null;
  skills?: string[];
  compensationLimitYuan?: number | null;
  active?: boolean;
}

const FIELDS = ['employeeNo', 'name', 'password', 'roles', 'teamId', 'skills', 'compensationLimitYuan', 'active'] as const;
const FIELD_MAP = { compensationLimitFen: 'compensationLimitYuan' };

interface Props {
  open: boolean;
  /** null → create */
  staff: Staff | null;
  onClose: () => void;
}

export function StaffFormDrawer({ open, staff, onClose }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<FormValues>();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const showError = useApiError();
  const roleOptions = useRoleOptions();
  const teams = useTeams(open);
  const screens = Grid.useBreakpoint();
  const editing = staff !== null;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (staff) {
      form.setFieldsValue({
        name: staff.name,
        roles: staff.roles,
        teamId: staff.teamId ?? undefined,
        skills: staff.skills,
        compensationLimitYuan: fenToYuan(staff.compensationLimitFen) ?? null,
        active: staff.active,
      });
    } else {
      form.setFieldsValue({ roles: ['agent'], skills: [] });
    }
  }, [open, staff, form]);

  const save = useMutation({
    mutationFn: async (values: FormValues) => {
      const skills = (values.skills ?? []).map((s) => s.trim()).filter(Boolean);
      if (staff) {
        const body: StaffPatch = {
          name: values.name.trim(),
          roles: values.roles,
          teamId: values.teamId ?? null,
          skills,
          compensationLimitFen: yuanToFen(values.compensationLimitYuan) ?? null,
          active: values.active,
        };
        return staffApi.update(staff.id, body);
      }
      const body: StaffCreate = {
        employeeNo: values.employeeNo.trim(),
        name: values.name.trim(),
        password: values.password,
        roles: values.roles,
        skills,
      };
      if (values.teamId) body.teamId = values.teamId;
      const fen = yuanToFen(values.compensationLimitYuan);
      if (fen !== undefined) body.compensationLimitFen = fen;
      return staffApi.create(body);
    },
    onSuccess: async (saved) => {
      void message.success(staff ? t('staff.updated', { name: saved.name }) : t('staff.created', { name: saved.name }));
      await queryClient.invalidateQueries({ queryKey: ['staff'] });
      await queryClient.invalidateQueries({ queryKey: ['teams'] });
      onClose();
    },
    onError: (err) => showError(err, { form, fields: FIELDS, fieldMap: FIELD_MAP }),
  });

  return (
    <Drawer
      open={open}
      onClose={onClose}
      size={screens.sm === false ? '100%' : 480}
      title={editing ? t('staff.editTitle', { name: staff.name, employeeNo: staff.employeeNo }) : t('staff.createTitle')}
      destroyOnHidden
      footer={
        <Flex justify="flex-end" gap={8}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="staff-save">
            {editing ? t('common.save') : t('staff.createSubmit')}
          </Button>
        </Flex>
      }
    >
      <Form<FormValues> form={form} layout="vertical" onFinish={(v) => save.mutate(v)} data-testid="staff-form">
        {editing ? (
          <Form.Item label={t('staff.employeeNo')}>
            <Typography.Text strong>{staff.employeeNo}</Typography.Text>
          </Form.Item>
        ) : (
          <Form.Item
            name="employeeNo"
            label={t('staff.employeeNo')}
            extra={t('staff.employeeNoHint')}
            rules={[
              { required: true, whitespace: true, message: t('validation.required') },
              { pattern: /^[A-Za-z0-9_-]{1,32}$/, message: t('staff.employeeNoFormat') },
            ]}
          >
            <Input autoComplete="off" maxLength={32} data-testid="staff-employee-no" />
          </Form.Item>
        )}
        <Form.Item name="name" label={t('staff.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={64} data-testid="staff-name" />
        </Form.Item>
        {editing ? null : (
          <Form.Item
            name="password"
            label={t('staff.initialPassword')}
            extra={t('staff.initialPasswordHint')}
            rules={[
              { required: true, message: t('validation.required') },
              { min: 8, message: t('validation.passwordMin', { min: 8 }) },
            ]}
          >
            <Input.Password autoComplete="new-password" data-testid="staff-password" />
          </Form.Item>
        )}
        <Form.Item name="roles" label={t('staff.roles')} rules={[{ required: true, type: 'array', min: 1, message: t('staff.rolesRequired') }]}>
          <Select mode="multiple" options={roleOptions} showSearch={{ optionFilterProp: 'label' }} data-testid="staff-roles" />
        </Form.Item>
        <Form.Item name="teamId" label={t('staff.team')}>
          <Select
            allowClear
            placeholder={t('staff.noTeam')}
            loading={teams.isPending}
            options={(teams.data?.items ?? []).map((team) => ({ value: team.id, label: team.name }))}
            data-testid="staff-team"
          />
        </Form.Item>
        <Form.Item name="skills" label={t('staff.skills')} extra={t('staff.skillsHint')}>
          <Select mode="tags" tokenSeparators={[',', '，', '、']} open={false} suffixIcon={null} data-testid="staff-skills" />
        </Form.Item>
        <Form.Item name="compensationLimitYuan" label={t('staff.compensationLimit')} extra={t('staff.compensationLimitHint')}>
          <InputNumber<number>
            min={0}
            max={10_000_000}
            precision={2}
            step={100}
            style={{ width: '100%' }}
            suffix={t('common.yuan')}
            placeholder={t('staff.limitByRole')}
            data-testid="staff-limit"
          />
        </Form.Item>
        {editing ? (
          <Form.Item name="active" label={t('staff.active')} valuePropName="checked" extra={t('staff.activeHint')}>
            <Switch checkedChildren={t('staff.statusActive')} unCheckedChildren={t('staff.statusInactive')} />
          </Form.Item>
        ) : null}
      </Form>
    </Drawer>
  );
}
