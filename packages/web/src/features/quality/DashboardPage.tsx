import { useState } from 'react';
import { Button, Card, Col, DatePicker, Dropdown, Empty, Flex, Progress, Row, Statistic, Table, Tag } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { Page } from '../../layout/Page';
import { dayjs } from '../../lib/time';
import { scoreColor, statsExportUrl, useStats } from './api';

/** QA dashboard: score by dimension / item / agent / team / month, most-failed items, appeal rate and outcome; .xlsx / .csv export. */
export default function DashboardPage() {
  const { t, i18n } = useTranslation();
  const [range, setRange] = useState<[string, string]>([dayjs().subtract(2, 'month').format('YYYY-MM'), dayjs().format('YYYY-MM')]);
  const q = { from: range[0], to: range[1] };
  const s = useStats(q).data;
  const fig = (v: number | null | undefined, suffix = '') => (v === null || v === undefined ? '—' : `${v}${suffix}`);
  return (
    <Page
      title={t('quality.dash.title')}
      subtitle={t('quality.dash.subtitle')}
      extra={
        <>
          <DatePicker.RangePicker
            picker="month"
            allowClear={false}
            value={[dayjs(`${range[0]}-01`), dayjs(`${range[1]}-01`)]}
            onChange={(v) => v?.[0] && v[1] && setRange([v[0].format('YYYY-MM'), v[1].format('YYYY-MM')])}
          />
          <Dropdown
            menu={{
              items: [
                {
                  key: 'xlsx',
                  label: (
                    <a href={statsExportUrl(q, 'xlsx', i18n.language)} download>
                      {t('quality.dash.xlsx')}
                    </a>
                  ),
                },
                ...(['agents', 'items', 'teams'] as const).map((k) => ({
                  key: k,
                  label: (
                    <a href={statsExportUrl(q, 'csv', i18n.language, k)} download>
                      {t('quality.dash.csv', { table: t(`quality.dash.table.${k}`) })}
                    </a>
                  ),
                })),
              ],
            }}
          >
            <Button icon={<DownloadOutlined />} data-testid="qa-export">
              {t('quality.dash.export')}
            </Button>
          </Dropdown>
        </>
      }
    >
      {!s ? (
        <Card loading />
      ) : (
        <Flex vertical gap={16}>
          <Row gutter={[12, 12]}>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('quality.dash.n')} value={s.n} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('quality.dash.average')} value={fig(s.average)} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('quality.dash.passRate')} value={fig(s.passRate, '%')} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t('quality.dash.appealRate')} value={fig(s.appeals.rate, '%')} />
                <span style={{ fontSize: 12, color: '#8c8c8c' }}>
                  {t('quality.dash.appealOutcome', { open: s.appeals.open, upheld: s.appeals.upheld, revised: s.appeals.revised })}
                </span>
              </Card>
            </Col>
          </Row>
          <Row gutter={[12, 12]}>
            <Col xs={24} lg={10}>
              <Card size="small" title={t('quality.dash.byDimension')} style={{ height: '100%' }}>
                {s.dimensions.map((d) => (
                  <Flex key={d.dimension} gap={8} align="center">
                    <span style={{ width: 72, flex: 'none' }}>{t(`quality.dimension.${d.dimension}`)}</span>
                    <Progress percent={d.average ?? 0} format={() => fig(d.average)} style={{ flex: 1, margin: 0 }} />
                  </Flex>
                ))}
              </Card>
            </Col>
            <Col xs={24} lg={14}>
              <Card size="small" title={t('quality.dash.mostFailed')} data-testid="qa-most-failed">
                <Table
                  size="small"
                  rowKey={(r) => `${r.item}-${r.label}`}
                  dataSource={s.items.slice(0, 8)}
                  pagination={false}
                  scroll={{ x: 420 }}
                  locale={{ emptyText: <Empty /> }}
                  columns={[
                    { title: t('quality.item'), dataIndex: 'label', ellipsis: true },
                    { title: t('quality.dash.dimension'), render: (_, r) => t(`quality.dimension.${r.dimension}`), width: 90 },
                    { title: t('quality.dash.failRate'), render: (_, r) => `${r.failRate}%（${r.failed}/${r.n}）`, width: 120 },
                    { title: t('quality.dash.average'), dataIndex: 'average', width: 80 },
                  ]}
                />
              </Card>
            </Col>
          </Row>
          <Row gutter={[12, 12]}>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('quality.dash.byAgent')}>
                <Table
                  size="small"
                  rowKey={(r) => r.agent.id}
                  dataSource={s.agents}
                  pagination={{ pageSize: 8, hideOnSinglePage: true }}
                  columns={[
                    { title: t('quality.agent'), render: (_, r) => r.agent.name },
                    { title: t('quality.dash.n'), dataIndex: 'n', width: 70 },
                    { title: t('quality.dash.average'), render: (_, r) => <Tag color={scoreColor(r.average)}>{fig(r.average)}</Tag>, width: 90 },
                    { title: t('quality.dash.passRate'), render: (_, r) => fig(r.passRate, '%'), width: 80 },
                  ]}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Flex vertical gap={12}>
                <Card size="small" title={t('quality.dash.byTeam')}>
                  <Table
                    size="small"
                    rowKey={(r) => r.teamId ?? '-'}
                    dataSource={s.teams}
                    pagination={false}
                    columns={[
                      { title: t('quality.dash.team'), render: (_, r) => r.name || t('quality.dash.noTeam') },
                      { title: t('quality.dash.n'), dataIndex: 'n', width: 70 },
                      { title: t('quality.dash.average'), render: (_, r) => fig(r.average), width: 80 },
                      { title: t('quality.dash.passRate'), render: (_, r) => fig(r.passRate, '%'), width: 80 },
                    ]}
                  />
                </Card>
                <Card size="small" title={t('quality.dash.byMonth')}>
                  <Table
                    size="small"
                    rowKey="month"
                    dataSource={s.months}
                    pagination={false}
                    columns={[
                      { title: t('quality.dash.month'), dataIndex: 'month' },
                      { title: t('quality.dash.n'), dataIndex: 'n', width: 70 },
                      { title: t('quality.dash.average'), render: (_, r) => fig(r.average), width: 80 },
                      { title: t('quality.dash.passRate'), render: (_, r) => fig(r.passRate, '%'), width: 80 },
                    ]}
                  />
                </Card>
              </Flex>
            </Col>
          </Row>
        </Flex>
      )}
    </Page>
  );
}
