import { useEffect, useState } from 'react';
import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { checkText, type QaHit } from './api';
import { HitList } from './HitList';

/**
 * In the reply composer: the automatic inspection of the draft (debounced `POST /qa/check`), shown as a warning
 * before sending. Advisory only: the agent can send anyway.
 */
export function ComposerCheck({
  body,
  internal,
  first,
  channel,
  ticketType,
}: {
  body: string;
  internal: boolean;
  first: boolean;
  channel: string;
  ticketType: string;
}) {
  const { t } = useTranslation();
  const [hits, setHits] = useState<{ text: string; hits: QaHit[] } | null>(null);
  useEffect(() => {
    const text = body.trim();
    if (text.length < 2) return;
    let live = true;
    const timer = setTimeout(() => {
      checkText({ text, audience: internal ? 'internal' : 'customer', first, channel, ticketType })
        .then((r) => {
          if (live) setHits({ text, hits: r.hits });
        })
        .catch(() => undefined);
    }, 600);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [body, internal, first, channel, ticketType]);
  if (!hits || hits.text !== body.trim() || hits.hits.length === 0) return null;
  return (
    <div style={{ marginTop: 8 }} data-testid="composer-qa">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('inspection.composerHint')}
      </Typography.Text>
      <HitList text={hits.text} hits={hits.hits} />
    </div>
  );
}
