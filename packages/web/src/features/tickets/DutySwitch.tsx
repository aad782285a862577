import { useState } from 'react';
import { App, Flex, Switch, Tooltip, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { workApi } from '../../api/endpoints';
import { PERM } from '../../api/types';
import { useApiError } from '../../lib/useApiError';
import { useMe, usePermission } from '../auth/me';
import { useTeamLoad } from './queries';

/** Roles dispatch can assign tickets to (the server's eligibility rule). */
const SERVICE_ROLES = ['agent', 'supervisor', 'technician', 'frontdesk'];

/**
 * 签入/签出: dispatch only assigns to staff on duty. The current state comes from the team load
 * (GET /me does not report it); after a toggle the answer of POST /me/duty is authoritative.
 */
export function DutySwitch() {
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const canWork = usePermission(PERM.ticketsWork);
  const dispatchable = canWork && me.roles.some((r) => SERVICE_ROLES.includes(r));
  const load = useTeamLoad(dispatchable, undefined);
  const [local, setLocal] = useState<boolean | null>(null);
  const fromLoad = load.data?.items.find((m) => m.staffId === me.id)?.onDuty;
  const onDuty = local ?? fromLoad ?? false;

  const duty = useMutation({
    mutationFn: (next: boolean) => workApi.setDuty(next),
    onSuccess: (res) => {
      setLocal(res.onDuty);
      void message.success(res.onDuty ? t('duty.signedIn') : t('duty.signedOut'));
      void queryClient.invalidateQueries({ queryKey: ['teamLoad'] });
    },
    onError: (err) => showError(err),
  });

  if (!dispatchable) return null;
  return (
    <Tooltip title={t('duty.hint')}>
      <Flex align="center" gap={8} className="chidu-duty" data-on={onDuty ? 'true' : 'false'}>
        <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
          {t('duty.label')}
        </Typography.Text>
        <Switch
          checked={onDuty}
          loading={duty.isPending || (load.isPending && local === null)}
          onChange={(v) => duty.mutate(v)}
          checkedChildren={t('duty.on')}
          unCheckedChildren={t('duty.off')}
          data-testid="duty-switch"
          aria-label={t('duty.label')}
        />
      </Flex>
    </Tooltip>
  );
}
