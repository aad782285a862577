import { useMemo, useState } from 'react';
import { Select, Spin } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { staffApi } from '../../api/endpoints';
import { useDebounced } from '../../lib/useDebounced';

export interface StaffOption {
  value: string;
  label: string;
}

interface Props {
  value?: string | null;
  onChange?: (value: string | undefined) => void;
  placeholder?: string;
  /** Extra options always offered (e.g. actors already seen in a result list). */
  extraOptions?: StaffOption[];
  style?: React.CSSProperties;
  allowClear?: boolean;
  id?: string;
  'data-testid'?: string;
}

/** Searchable staff picker (by 工号 or name) backed by GET /staff?q=. */
export function StaffSelect({ value, onChange, placeholder, extraOptions = [], style, allowClear = true, id, ...rest }: Props) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), 250);
  const query = useQuery({
    queryKey: ['staff', 'select', q],
    queryFn: () => staffApi.list({ q: q || undefined, limit: 20 }),
    staleTime: 30_000,
  });

  const options = useMemo(() => {
    const seen = new Map<string, StaffOption>();
    for (const s of query.data?.items ?? []) seen.set(s.id, { value: s.id, label: t('staff.optionLabel', { name: s.name, employeeNo: s.employeeNo }) });
    for (const o of extraOptions) if (!seen.has(o.value)) seen.set(o.value, o);
    return [...seen.values()];
  }, [query.data, extraOptions, t]);

  return (
    <Select<string>
      id={id}
      data-testid={rest['data-testid']}
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? undefined)}
      placeholder={placeholder ?? t('staff.searchStaff')}
      allowClear={allowClear}
      showSearch={{ filterOption: false, onSearch: setSearch, searchValue: search }}
      notFoundContent={query.isFetching ? <Spin size="small" /> : t('common.noMatch')}
      options={options}
      style={style}
      onOpenChange={(open) => {
        if (!open) setSearch('');
      }}
    />
  );
}
