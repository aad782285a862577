import { Flex } from 'antd';
import { useTranslation } from 'react-i18next';

export function Brand({ compact = false }: { compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <Flex align="center" gap={8} className="chidu-brand">
      <span className="chidu-logo" aria-hidden>
        {t('app.logoGlyph')}
      </span>
      {compact ? null : <span className="chidu-brand-name">{t('app.name')}</span>}
    </Flex>
  );
}
