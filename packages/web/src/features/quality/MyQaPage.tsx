import { Card, Empty, Flex, List, Table, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { http } from '../../api/client';
import { Page } from '../../layout/Page';
import { useFormat, useMe } from '../auth/me';
import { SEVERITY_COLOR } from '../inspection/api';
import { useRuleLabel } from '../inspection/HitList';
import { scoreColor, STATE_COLOR, useInspections } from './api';
import { MyMysteryVisits } from '../mystery/MyVisits';
import { CoachingList } from './Coaching';
import { MyPeerReview } from './PeerReview';

/** 我的质检: the agent's own inspections (acknowledge / appeal on the inspection's page) and automatic hits on their replies. */
export default function MyQaPage() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const me = useMe();
  const ruleLabel = useRuleLabel();
  const mine = useInspections({ mine: 'agent' });
  const hits = useQuery({ queryKey: ['quality', 'my-hits', me.id], queryFn: () => http.get('/qa/hits', { query: { authorId: me.id, limit: 20 } }) });
  const items = (mine.data?.items ?? []).filter((i) => i.state !== 'draft');
  const pending = items.filter((i) => i.allowed.acknowledge || i.allowed.appeal).length;
  return (
    <Page title={t('quality.mine.title')} subtitle={t('quality.mine.subtitle', { count: pending })}>
      <Flex vertical gap={16}>
        <Card size="small" title={t('quality.mine.inspections')}>
          <Table
            size="small"
            rowKey="id"
            loading={mine.isLoading}
            dataSource={items}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            scroll={{ x: 560 }}
            locale={{ emptyText: <Empty description={t('quality.mine.empty')} /> }}
            columns={[
              {
                title: t('quality.ticket'),
                render: (_, i) => (
                  <Link to={`/qa/inspections/${i.id}`} data-testid={`my-inspection-${i.ticketNumber}`}>
                    {i.ticketNumber}
                  </Link>
                ),
              },
              { title: t('quality.scoreCol'), render: (_, i) => <Tag color={scoreColor(i.score, i.scorecard.passMark)}>{i.score}</Tag> },
              {
                title: t('quality.stateCol'),
                render: (_, i) => (
                  <Flex gap={4} wrap>
                    <Tag color={STATE_COLOR[i.state]}>{t(`quality.state.${i.state}`)}</Tag>
                    {i.allowed.appeal ? <Tag color="gold">{t('quality.mine.canAppeal', { at: fmt.date(i.appealDeadline) })}</Tag> : null}
                  </Flex>
                ),
              },
              { title: t('quality.inspector'), render: (_, i) => i.inspector?.name },
              { title: t('quality.when'), render: (_, i) => <Typography.Text type="secondary">{fmt.date(i.submittedAt)}</Typography.Text> },
            ]}
          />
        </Card>
        <MyMysteryVisits />
        <MyPeerReview />
        <Card size="small" title={t('quality.coaching.mine')}>
          <CoachingList state="all" canComplete={false} />
        </Card>
        <Card size="small" title={t('quality.mine.hits')}>
          <List
            size="small"
            loading={hits.isLoading}
            dataSource={hits.data?.items ?? []}
            locale={{ emptyText: <Empty description={t('quality.mine.noHits')} /> }}
            renderItem={(h) => (
              <List.Item key={h.id}>
                <Flex vertical gap={2} style={{ minWidth: 0 }}>
                  <Flex gap={6} wrap align="center">
                    <Tag color={SEVERITY_COLOR[h.severity]}>{ruleLabel(h.rule)}</Tag>
                    <Link to={`/tickets/${h.ticketId}`}>{h.ticketNumber}</Link>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {fmt.dateTime(h.at)}
                    </Typography.Text>
                  </Flex>
                  <Typography.Text>
                    “<Typography.Text mark>{h.excerpt}</Typography.Text>”
                  </Typography.Text>
                  {h.suggestion ? <Typography.Text type="secondary">{t('quality.mine.suggestion', { text: h.suggestion })}</Typography.Text> : null}
                </Flex>
              </List.Item>
            )}
          />
        </Card>
      </Flex>
    </Page>
  );
}
