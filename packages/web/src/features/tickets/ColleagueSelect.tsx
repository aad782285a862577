import { useMemo } from 'react';
import { Badge, Flex, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TeamLoadMember } from '../../api/types';
import { useTeamLoad } from './queries';

interface Props {
  value?: string;
  onChange?: (value: string | undefined) => void;
  /** Never offer these (e.g. the current owner). */
  exclude?: (string | null | undefined)[];
  placeholder?: string;
  id?: string;
  'data-testid'?: string;
}

/**
 * Pick a colleague with their live load (GET /teams/load, available to everyone who works tickets):
 * on duty, open tickets, pending handovers. Agents see their own team; supervisors see everyone.
 */
export function ColleagueSelect({ value, onChange, exclude = [], placeholder, id, ...rest }: Props) {
  const { t } = useTranslation();
  const load = useTeamLoad(true);
  const options = useMemo(() => {
    const skip = new Set(exclude.filter(Boolean));
    const members = (load.data?.items ?? []).filter((m) => !skip.has(m.staffId));
    // on-duty first, then the lightest load
    members.sort((a, b) => Number(b.onDuty) - Number(a.onDuty) || a.openTickets - b.openTickets || a.employeeNo.localeCompare(b.employeeNo));
    return members.map((m) => ({
      value: m.staffId,
      label: t('staff.optionLabel', { name: m.name, employeeNo: m.employeeNo }),
      member: m,
      search: `${m.name} ${m.employeeNo} ${m.teamName ?? ''}`,
    }));
  }, [load.data, exclude, t]);

  return (
    <Select<string>
      id={id}
      data-testid={rest['data-testid']}
      value={value}
      onChange={(v) => onChange?.(v ?? undefined)}
      allowClear
      loading={load.isPending}
      placeholder={placeholder ?? t('staff.searchStaff')}
      showSearch={{ optionFilterProp: 'search' }}
      options={options}
      optionRender={(o) => {
        const m = (o.data as { member: TeamLoadMember }).member;
        return (
          <Flex justify="space-between" align="center" gap={8}>
            <Flex gap={6} align="center" style={{ minWidth: 0 }}>
              <Badge status={m.onDuty ? 'success' : 'default'} />
              <span>{m.name}</span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {m.employeeNo}
                {m.teamName ? ` · ${m.teamName}` : ''}
              </Typography.Text>
            </Flex>
            <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
              {m.onDuty ? t('teamLoad.openShort', { n: m.openTickets }) : t('duty.offDuty')}
            </Typography.Text>
          </Flex>
        );
      }}
      notFoundContent={t('common.noMatch')}
    />
  );
}
