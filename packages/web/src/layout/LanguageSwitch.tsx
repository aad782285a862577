import { useState } from 'react';
import { Segmented, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Locale } from '../api/types';
import { applyLocale, currentLocale } from '../i18n';

interface Props {
  /** Save the choice for the signed-in user. On failure the previous language is restored. */
  persist?: (locale: Locale) => Promise<unknown>;
  onChanged?: (locale: Locale) => void;
  size?: 'small' | 'middle' | 'large';
}

export function LanguageSwitch({ persist, onChanged, size = 'middle' }: Props) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const value = currentLocale();

  const change = async (next: Locale) => {
    const previous = currentLocale();
    if (next === previous) return;
    await applyLocale(next);
    onChanged?.(next);
    if (!persist) return;
    setBusy(true);
    try {
      await persist(next);
    } catch {
      await applyLocale(previous);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Tooltip title={t('language.tooltip')} placement="bottom">
      <Segmented<Locale>
        data-testid="language-switch"
        aria-label={t('language.tooltip')}
        size={size}
        disabled={busy}
        value={value}
        onChange={(v) => void change(v)}
        options={[
          { label: t('language.zhCN'), value: 'zh-CN' },
          { label: t('language.en'), value: 'en' },
        ]}
        key={i18n.language}
      />
    </Tooltip>
  );
}
