import { useMemo, useState } from 'react';
import { Button, Divider, Flex, Select, Spin, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { customersApi } from '../../api/endpoints';
import { PERM, type Customer } from '../../api/types';
import { useDebounced } from '../../lib/useDebounced';
import { usePermission } from '../auth/me';
import { CreateCustomerModal, TierTag } from './CustomersPage';
import { flatText } from './FlatFields';

interface Props {
  value?: string;
  onChange?: (id: string | undefined, customer?: Customer) => void;
  /** Offer "新建客户" in the dropdown (needs customers.write). */
  allowCreate?: boolean;
  placeholder?: string;
  id?: string;
  style?: React.CSSProperties;
  'data-testid'?: string;
}

/** Search customers by name, phone, tag or flat (GET /customers?q=), with inline creation. */
export function CustomerPicker({ value, onChange, allowCreate = true, placeholder, id, style, ...rest }: Props) {
  const { t } = useTranslation();
  const canWrite = usePermission(PERM.customersWrite);
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [picked, setPicked] = useState<Customer | null>(null);
  const q = useDebounced(search.trim(), 250);
  const query = useQuery({
    queryKey: ['customers', 'picker', q],
    queryFn: () => customersApi.list({ q: q || undefined, limit: 20 }),
    staleTime: 30_000,
  });

  const byId = useMemo(() => {
    const map = new Map<string, Customer>();
    if (picked) map.set(picked.id, picked);
    for (const c of query.data?.items ?? []) map.set(c.id, c);
    return map;
  }, [query.data, picked]);

  const options = [...byId.values()].map((c) => ({
    value: c.id,
    label: flatText(c) ? `${c.name}（${flatText(c)}）` : c.name,
    customer: c,
  }));

  return (
    <>
      <Select<string>
        id={id}
        data-testid={rest['data-testid']}
        value={value}
        placeholder={placeholder ?? t('customers.pickerPlaceholder')}
        allowClear
        style={style}
        showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
        onChange={(v) => {
          const c = v ? byId.get(v) : undefined;
          if (c) setPicked(c);
          onChange?.(v ?? undefined, c);
        }}
        onOpenChange={(open) => {
          if (!open) setSearch('');
        }}
        notFoundContent={query.isFetching ? <Spin size="small" /> : t('common.noMatch')}
        options={options}
        optionRender={(o) => {
          const c = (o.data as { customer: Customer }).customer;
          return (
            <Flex justify="space-between" align="center" gap={8}>
              <span style={{ minWidth: 0, overflow: 'hidden', textOverflow: 'ellipsis' }}>
                {c.name}
                {flatText(c) ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12, marginLeft: 6 }}>
                    {flatText(c)}
                  </Typography.Text>
                ) : null}
              </span>
              <Flex gap={6} align="center" style={{ flex: 'none' }}>
                {c.phone ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {c.phone}
                  </Typography.Text>
                ) : null}
                <TierTag tier={c.tier} />
              </Flex>
            </Flex>
          );
        }}
        popupRender={(menu) => (
          <>
            {menu}
            {allowCreate && canWrite ? (
              <>
                <Divider style={{ margin: '4px 0' }} />
                <Button
                  type="text"
                  block
                  icon={<PlusOutlined />}
                  onClick={() => setCreating(true)}
                  style={{ textAlign: 'start' }}
                  data-testid="customer-picker-create"
                >
                  {t('customers.create')}
                </Button>
              </>
            ) : null}
          </>
        )}
      />
      <CreateCustomerModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(c) => {
          setPicked(c);
          onChange?.(c.id, c);
        }}
      />
    </>
  );
}
