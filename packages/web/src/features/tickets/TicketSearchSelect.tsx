import { useState } from 'react';
import { Flex, Select, Spin, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ticketsApi } from '../../api/endpoints';
import { useDebounced } from '../../lib/useDebounced';
import { StatusTag } from './ui';

interface Props {
  value?: string;
  onChange?: (v: string | undefined) => void;
  /** Only tickets of this customer (merging). */
  customerId?: string;
  excludeId?: string;
  id?: string;
}

/** Find a ticket by number or subject (GET /tickets?q=). */
export function TicketSearchSelect({ value, onChange, customerId, excludeId, id }: Props) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const query = useQuery({
    queryKey: ['tickets', 'search', q, customerId ?? ''],
    queryFn: () => ticketsApi.list({ q: q || undefined, customerId, limit: 20 }),
    staleTime: 15_000,
  });
  const options = (query.data?.items ?? [])
    .filter((r) => r.id !== excludeId)
    .map((r) => ({
      value: r.id,
      label: `${r.number} ${r.subject}`,
      row: r,
    }));
  return (
    <Select<string>
      id={id}
      value={value}
      onChange={(v) => onChange?.(v ?? undefined)}
      allowClear
      placeholder={t('tickets.searchPlaceholder')}
      showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
      notFoundContent={query.isFetching ? <Spin size="small" /> : t('common.noMatch')}
      options={options}
      optionRender={(o) => {
        const r = (o.data as (typeof options)[number]).row;
        return (
          <Flex justify="space-between" gap={8} align="center">
            <span style={{ minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis' }}>
              <span className="chidu-ticket-no">{r.number}</span> {r.subject}
            </span>
            <Flex gap={6} align="center" style={{ flex: 'none' }}>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {r.customerName}
              </Typography.Text>
              <StatusTag status={r.status} />
            </Flex>
          </Flex>
        );
      }}
    />
  );
}
