import { Card, Empty, Flex, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { pct, useSummary, type Range, type Summary } from './api';

type Item = Summary['items'][number];

/** "4.67 / 5" for a mean, a percentage for a share or a rate. */
function judgedValue(r: Item): string {
  if (r.soft) {
    if (r.soft.value === null) return '—';
    return r.soft.aggregate === 'mean' ? `${r.soft.value.toFixed(2)} / ${r.soft.scaleMax}` : pct(r.soft.value);
  }
  const j = r.measured ?? r.audit;
  return j && j.value !== null ? pct(j.value) : '—';
}

/**
 * Soft standards (mean or share of survey answers, with a minimum sample) and measured standards (a rate of the
 * measures engine) and audit standards judged from a checklist step (recorded in time ÷ resolved repair/order tickets)
 * on the 服务标准 overview: value, goal, sample and verdict for the chosen period.
 */
export function JudgedStandards({ range, search }: { range: Range; search: string }) {
  const { t } = useTranslation();
  const summary = useSummary(range, true);
  const rows = (summary.data?.items ?? []).filter((i) => i.soft || i.measured || i.audit);
  const verdict = (r: Item) => {
    const j = r.soft ?? r.measured ?? r.audit;
    if (!j || j.insufficientSample) return <Tag data-testid="judged-verdict">{t('measuresStd.insufficient')}</Tag>;
    return j.met ? (
      <Tag color="green" data-testid="judged-verdict">
        {t('measuresStd.met')}
      </Tag>
    ) : (
      <Tag color="red" data-testid="judged-verdict">
        {t('measuresStd.notMet')}
      </Tag>
    );
  };
  const columns: TableColumnsType<Item> = [
    {
      title: t('measuresStd.standard'),
      key: 'name',
      render: (_: unknown, r) => (
        <Flex vertical gap={0}>
          <Link to={`/standards/${r.standardId}${search}`}>{r.name}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.soft ? t(`measuresStd.aggregate.${r.soft.aggregate}`, { measure: t(`measuresStd.survey.${r.soft.measure}`) }) : null}
            {r.measured ? t(`measuresStd.metric.${r.measured.metric}`) : null}
            {r.audit ? t('checklist.audit', { step: t(`checklist.steps.${r.audit.checklist}`) }) : null}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('measuresStd.value'),
      key: 'value',
      width: 130,
      render: (_: unknown, r) => (
        <Typography.Text strong type={(r.soft ?? r.measured ?? r.audit)?.met === false ? 'danger' : undefined} data-testid="judged-value">
          {judgedValue(r)}
        </Typography.Text>
      ),
    },
    {
      title: t('measuresStd.goal'),
      key: 'goal',
      width: 120,
      render: (_: unknown, r) =>
        r.soft ? (r.soft.aggregate === 'mean' ? `≥ ${r.soft.threshold} / ${r.soft.scaleMax}` : `≥ ${pct(r.soft.goal)}`) : `≥ ${pct(r.target)}`,
    },
    {
      title: t('measuresStd.sample'),
      key: 'sample',
      width: 170,
      render: (_: unknown, r) =>
        r.soft ? (
          <Tooltip title={t('measuresStd.minSample', { n: r.soft.minSample })}>
            {r.soft.aggregate === 'mean'
              ? t('measuresStd.answers', { n: r.soft.count })
              : t('measuresStd.ofAnswers', { num: r.soft.numerator, den: r.soft.count, threshold: r.soft.threshold })}
          </Tooltip>
        ) : r.measured ? (
          t('measuresStd.fraction', { num: r.measured.numerator, den: r.measured.denominator })
        ) : r.audit ? (
          <Tooltip title={t('checklist.auditHelp')}>{t('checklist.fraction', { num: r.audit.numerator, den: r.audit.denominator })}</Tooltip>
        ) : null,
    },
    { title: t('measuresStd.verdict'), key: 'verdict', width: 100, render: (_: unknown, r) => verdict(r) },
  ];
  return (
    <Card size="small" title={t('measuresStd.title')} data-testid="std-judged">
      <Table<Item>
        rowKey="standardId"
        size="small"
        columns={columns}
        dataSource={rows}
        loading={summary.isPending}
        pagination={false}
        scroll={{ x: 640 }}
        locale={{ emptyText: <Empty description={t('measuresStd.empty')} /> }}
      />
    </Card>
  );
}
