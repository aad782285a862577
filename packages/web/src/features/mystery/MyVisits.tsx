import { Card, List, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useMe } from '../auth/me';
import { useVisits } from './api';

/** 我的质检: the mystery-shopper visits that served me (shown once submitted; unannounced ones never before). */
export function MyMysteryVisits() {
  const { t } = useTranslation();
  const me = useMe();
  const visits = useVisits({ state: 'submitted' });
  const mine = (visits.data?.items ?? []).filter((v) => v.served.some((s) => s.id === me.id));
  if (!mine.length) return null;
  return (
    <Card size="small" title={t('mystery.mine.title')}>
      <List
        size="small"
        dataSource={mine}
        renderItem={(v) => (
          <List.Item>
            <Link to={`/qa/mystery/visits/${v.id}`} data-testid={`my-visit-${v.id}`}>
              {v.script.title} · {v.site.name}
            </Link>
            <span>
              <Typography.Text type="secondary">{v.visitedAt?.slice(0, 10)} </Typography.Text>
              <Tag color={v.passed ? 'green' : 'red'}>{t('mystery.state.scored', { score: v.score })}</Tag>
            </span>
          </List.Item>
        )}
      />
    </Card>
  );
}
