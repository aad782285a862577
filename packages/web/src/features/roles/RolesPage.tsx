import { useMemo } from 'react';
import { App, Card, Flex, Switch, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { CheckOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { rolesApi } from '../../api/endpoints';
import { PERM, type RoleRow, type RolesResponse } from '../../api/types';
import { useApiError } from '../../lib/useApiError';
import { Page } from '../../layout/Page';
import { permissionLabel, roleLabel } from '../auth/labels';
import { useFormat, usePermission } from '../auth/me';
import { GiftLimitCard } from '../rules/GiftLimitCard';

const ROLES_KEY = ['roles'] as const;

export default function RolesPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { modal, message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const canManage = usePermission(PERM.rolesManage);
  const roles = useQuery({ queryKey: ROLES_KEY, queryFn: rolesApi.list });

  const update = useMutation({
    mutationFn: ({ role, requireTotp }: { role: string; requireTotp: boolean }) => rolesApi.update(role, { requireTotp }),
    onSuccess: (row) => {
      queryClient.setQueryData<RolesResponse>(ROLES_KEY, (old) => (old ? { ...old, items: old.items.map((r) => (r.role === row.role ? row : r)) } : old));
      void message.success(t('common.saved'));
    },
    onError: (err) => showError(err),
  });

  const toggleTotp = (row: RoleRow, requireTotp: boolean) => {
    if (!requireTotp) {
      update.mutate({ role: row.role, requireTotp });
      return;
    }
    modal.confirm({
      title: t('roles.requireTotpConfirmTitle', { role: roleLabel(t, row.role) }),
      content: t('roles.requireTotpConfirm'),
      okText: t('common.confirm'),
      cancelText: t('common.cancel'),
      onOk: () => update.mutateAsync({ role: row.role, requireTotp }),
    });
  };

  const columns: TableColumnsType<RoleRow> = [
    {
      title: t('roles.role'),
      dataIndex: 'role',
      width: 150,
      fixed: 'left',
      render: (role: string) => <Typography.Text strong>{roleLabel(t, role)}</Typography.Text>,
    },
    {
      title: t('roles.permissions'),
      dataIndex: 'permissions',
      render: (perms: string[]) =>
        perms.length ? (
          <Flex gap={4} wrap>
            {perms.map((p) => (
              <Tooltip key={p} title={p}>
                <Tag style={{ marginInlineEnd: 0 }}>{permissionLabel(t, p)}</Tag>
              </Tooltip>
            ))}
          </Flex>
        ) : (
          <Typography.Text type="secondary">{t('roles.noPermissions')}</Typography.Text>
        ),
    },
    {
      title: t('roles.defaultLimit'),
      dataIndex: 'defaultCompensationLimitFen',
      width: 140,
      align: 'right',
      render: (fen: number | null) => (fen === null ? <Typography.Text type="secondary">—</Typography.Text> : fmt.money(fen)),
    },
    {
      title: (
        <Tooltip title={t('roles.requireTotpHint')}>
          <span>{t('roles.requireTotp')}</span>
        </Tooltip>
      ),
      dataIndex: 'requireTotp',
      width: 150,
      align: 'center',
      render: (on: boolean, row) => (
        <Switch
          checked={on}
          disabled={!canManage}
          loading={update.isPending && update.variables?.role === row.role}
          onChange={(checked) => toggleTotp(row, checked)}
          aria-label={t('roles.requireTotp')}
          data-testid={`require-totp-${row.role}`}
        />
      ),
    },
  ];

  const matrix = useMemo(() => {
    const data = roles.data;
    if (!data) return { rows: [] as { permission: string }[], cols: [] as TableColumnsType<{ permission: string }> };
    const all = [...new Set([...data.permissions, ...data.items.flatMap((r) => r.permissions)])];
    const rows = all.map((permission) => ({ permission }));
    const cols: TableColumnsType<{ permission: string }> = [
      {
        title: t('roles.permission'),
        dataIndex: 'permission',
        fixed: 'left',
        width: 200,
        // the translated label only; the code is in the tooltip for administrators who script against the API
        render: (p: string) => (
          <Tooltip title={p}>
            <Typography.Text>{permissionLabel(t, p)}</Typography.Text>
          </Tooltip>
        ),
      },
      ...data.items.map((r) => ({
        title: roleLabel(t, r.role),
        key: r.role,
        width: 90,
        align: 'center' as const,
        render: (_: unknown, row: { permission: string }) =>
          r.permissions.includes(row.permission) ? <CheckOutlined style={{ color: '#2b6cc4' }} aria-label={t('roles.granted')} /> : null,
      })),
    ];
    return { rows, cols };
  }, [roles.data, t]);

  return (
    <Page title={t('roles.title')} subtitle={canManage ? t('roles.subtitle') : t('roles.subtitleReadOnly')}>
      <Flex vertical gap={16}>
        <Card styles={{ body: { padding: 0 } }}>
          <Table<RoleRow>
            rowKey="role"
            columns={columns}
            dataSource={roles.data?.items ?? []}
            loading={roles.isPending}
            pagination={false}
            scroll={{ x: 800 }}
            locale={{ emptyText: roles.isError ? t('common.loadFailed') : undefined }}
            data-testid="roles-table"
          />
        </Card>
        <Card title={t('roles.matrix')} styles={{ body: { padding: 0 } }}>
          <Table<{ permission: string }>
            rowKey="permission"
            size="small"
            columns={matrix.cols}
            dataSource={matrix.rows}
            loading={roles.isPending}
            pagination={false}
            scroll={{ x: 200 + 90 * (roles.data?.items.length ?? 0) }}
          />
        </Card>
        <GiftLimitCard canManage={canManage} />
      </Flex>
    </Page>
  );
}
