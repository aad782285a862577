import { Alert, Flex, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { RULE_CODES, SEVERITY_COLOR, type QaHit } from './api';

/** A rule's name in the reader's language (custom rules: a generic label). */
export function useRuleLabel() {
  const { t } = useTranslation();
  return (code: string) => ((RULE_CODES as readonly string[]).includes(code) ? t(`inspection.rule.${code.replace('.', '_')}`) : t('inspection.customRule'));
}

/** Hits on one text: the rule, the words highlighted in their sentence, and the suggested wording. */
export function HitList({ text, hits, testId }: { text: string; hits: QaHit[]; testId?: string }) {
  const { t } = useTranslation();
  const label = useRuleLabel();
  if (hits.length === 0) return null;
  return (
    <Flex vertical gap={6} data-testid={testId}>
      {hits.map((h, i) => {
        const from = Math.max(0, h.start - 12);
        const to = Math.min(text.length, h.end + 12);
        return (
          <Alert
            key={`${h.rule}-${h.start}-${i}`}
            type={h.severity === 'critical' || h.severity === 'major' ? 'error' : 'warning'}
            showIcon
            data-testid="qa-hit"
            title={
              <Flex gap={6} wrap align="center">
                <Tag color={SEVERITY_COLOR[h.severity]} style={{ marginInlineEnd: 0 }}>
                  {t(`inspection.severity.${h.severity}`)}
                </Tag>
                <Typography.Text strong>{label(h.rule)}</Typography.Text>
              </Flex>
            }
            description={
              <Flex vertical gap={2}>
                <span>
                  {from > 0 ? '…' : ''}
                  {text.slice(from, h.start)}
                  <mark className="chidu-qa-mark">{text.slice(h.start, h.end) || '　'}</mark>
                  {text.slice(h.end, to)}
                  {to < text.length ? '…' : ''}
                </span>
                {h.suggestion ? (
                  <Typography.Text type="secondary" data-testid="qa-suggestion">
                    {t('inspection.suggestion')}：{h.suggestion}
                  </Typography.Text>
                ) : null}
              </Flex>
            }
          />
        );
      })}
    </Flex>
  );
}
