import { Card, Descriptions, Flex, Progress, Statistic, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { PARTS, type Performance } from './api';

/** The composite and its formula: each part's score with numerator / denominator, and its weight. */
export function Composite({ p }: { p: Performance }) {
  const { t } = useTranslation();
  const formula = PARTS.map((k) => `${t(`quality.part.${k}`)} × ${Math.round(p.weights[k] * 100)}%`).join(' + ');
  return (
    <Card size="small" title={t('quality.perf.composite', { name: p.agent?.name ?? '', month: p.month })} data-testid="perf-composite">
      <Flex gap={24} wrap align="center">
        <Statistic title={t('quality.perf.score')} value={p.score ?? '—'} precision={p.score === null ? undefined : 1} valueStyle={{ fontSize: 36 }} />
        <Typography.Text type="secondary" style={{ flex: '1 1 280px' }}>
          {t('quality.perf.formula')}：{formula}
          <br />
          {t('quality.perf.rescaled')}
        </Typography.Text>
      </Flex>
      <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered style={{ marginTop: 12 }}>
        {PARTS.map((k) => {
          const part = p.parts[k];
          return (
            <Descriptions.Item key={k} label={`${t(`quality.part.${k}`)}（${Math.round(p.weights[k] * 100)}%）`}>
              <Flex vertical gap={2} data-testid={`perf-part-${k}`}>
                <Progress percent={part.score ?? 0} size="small" format={() => (part.score === null ? '—' : part.score.toFixed(1))} />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t(`quality.partFormula.${k}`, { n: part.numerator, d: part.denominator })}
                </Typography.Text>
              </Flex>
            </Descriptions.Item>
          );
        })}
      </Descriptions>
    </Card>
  );
}
