/**
 * 服务质量监控点 on the standards page: which standard is the checkpoint of each key node of a ticket's flow, and its
 * pass rate (达标率) in the reporting window, against its target.
 */
import { Card, Col, Flex, Row, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import { useSummary, type Range } from './api';
import { RateBar } from './ui';

export function CheckpointsPanel({ range, search }: { range: Range; search: string }) {
  const { t } = useTranslation();
  const nodes = useQuery({ queryKey: ['standards', 'checkpoints'], queryFn: () => http.get('/standards/checkpoints'), staleTime: 30_000 });
  const summary = useSummary(range, true);
  const byId = new Map((summary.data?.items ?? []).map((i) => [i.standardId, i]));
  const items = nodes.data?.items ?? [];
  if (!items.length) return null;
  return (
    <Card size="small" title={t('engine.checkpoint.title')} data-testid="std-checkpoints">
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        {t('engine.checkpoint.pageHelp')}
      </Typography.Paragraph>
      <Row gutter={[16, 12]}>
        {items.map((n, i) => {
          const c = n.standard ? byId.get(n.standard.id) : undefined;
          return (
            <Col key={n.node} xs={24} md={8}>
              <Flex vertical gap={4} data-testid={`std-checkpoint-${n.node}`}>
                <Typography.Text strong>
                  {i + 1}. {t(`engine.checkpoint.nodes.${n.node}`)}
                </Typography.Text>
                {n.standard ? (
                  <>
                    <Link to={`/standards/${n.standard.id}${search}`}>{n.standard.name}</Link>
                    <Flex gap={8} align="center">
                      <Typography.Text type="secondary">{t('engine.checkpoint.passRate')}</Typography.Text>
                      <RateBar rate={c?.rate ?? null} target={c?.target ?? 0.95} width={140} />
                    </Flex>
                  </>
                ) : (
                  <Typography.Text type="secondary">
                    {t('engine.checkpoint.noStandard')} — {t('engine.checkpoint.setOne')}
                  </Typography.Text>
                )}
              </Flex>
            </Col>
          );
        })}
      </Row>
    </Card>
  );
}
