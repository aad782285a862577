import { Card, Col, Empty, Row, Statistic, Table, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http, type ResponseOf } from '../../api/client';
import { formatFen } from '../../lib/money';
import { ExportButton, pct } from './common';

type FieldMeasures = ResponseOf<'get', '/measures/field'>;
type Rate = FieldMeasures['onTimeArrivalRate'];
const KEYS = ['onTimeArrivalRate', 'firstTimeFixRate', 'visitsPerTechnicianDay', 'partsCost'] as const;
type Key = (typeof KEYS)[number];

/** 上门服务指标: on-time arrival, first-time fix, visits per technician per day, parts cost, repeat repairs by asset type. */
export function FieldMeasuresCard({ period }: { period: { from: string; to: string } }) {
  const { t, i18n } = useTranslation();
  const q = useQuery({ queryKey: ['measures', 'field', period], queryFn: () => http.get('/measures/field', { query: period }) });
  const d = q.data;
  const show = (k: Key, r: Rate) =>
    r.value === null ? '—' : k === 'partsCost' ? formatFen(r.value, i18n.language) : k === 'visitsPerTechnicianDay' ? r.value.toFixed(2) : pct(r.value);
  const ratio = (k: Key, r: Rate) => (
    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
      {k === 'partsCost' ? `${formatFen(r.numerator, i18n.language)} / ${r.denominator}` : `${r.numerator}/${r.denominator}`}
    </Typography.Text>
  );
  return (
    <Card
      size="small"
      title={t('fieldMeasures.title')}
      style={{ marginTop: 12 }}
      loading={q.isLoading}
      extra={<ExportButton query={period} view="field" />}
      data-testid="field-measures"
    >
      {d && (
        <>
          <Row gutter={[12, 12]}>
            {KEYS.map((k) => (
              <Col key={k} xs={24} sm={12} xl={6}>
                <Statistic title={t(`fieldMeasures.${k}`)} value={show(k, d[k])} />
                {ratio(k, d[k])}
                <div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t(`fieldMeasures.def.${k}`)}
                  </Typography.Text>
                </div>
              </Col>
            ))}
          </Row>
          <Row gutter={[12, 12]} style={{ marginTop: 12 }}>
            <Col xs={24} xl={14}>
              <Table
                size="small"
                rowKey={(r) => r.technicianId ?? 'none'}
                dataSource={d.byTechnician}
                pagination={false}
                locale={{ emptyText: <Empty description={t('fieldMeasures.empty')} /> }}
                columns={[
                  { title: t('fieldMeasures.technician'), render: (_, r) => r.name ?? '—' },
                  ...KEYS.map((k) => ({
                    title: t(`fieldMeasures.${k}`),
                    render: (_: unknown, r: FieldMeasures['byTechnician'][number]) => (
                      <>
                        {show(k, r[k])} {ratio(k, r[k])}
                      </>
                    ),
                  })),
                ]}
              />
            </Col>
            <Col xs={24} xl={10}>
              <Table
                size="small"
                rowKey="assetType"
                dataSource={d.repeatRepairByAssetType}
                pagination={false}
                locale={{ emptyText: <Empty description={t('fieldMeasures.empty')} /> }}
                columns={[
                  { title: t('fieldMeasures.assetType'), dataIndex: 'assetType' },
                  {
                    title: t('fieldMeasures.repeatRepairRate'),
                    render: (_, r) => (
                      <>
                        {pct(r.value)}{' '}
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          ({r.numerator}/{r.denominator})
                        </Typography.Text>
                      </>
                    ),
                  },
                ]}
              />
            </Col>
          </Row>
        </>
      )}
    </Card>
  );
}
