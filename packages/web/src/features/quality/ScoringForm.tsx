import { useMemo, useState } from 'react';
import { App, Button, Card, Flex, Form, Input, InputNumber, Radio, Select, Tag, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import type { TicketDetail } from '../../api/types';
import { useApiError } from '../../lib/useApiError';
import { maxOf, QA_KEYS, scoreColor, type Inspection, type ScorecardItem, type SubmitBody } from './api';
import type { ReplySelection } from './quoteSpan';

type Score = number | 'na' | undefined;
interface Row {
  score: Score;
  /** `r:<replyId>` the whole reply, `q:<replyId>:<start>:<end>` a quoted span of it, `e:<eventId>` a timeline event. */
  evidence?: string | undefined;
  note?: string | undefined;
}

/** The score the server will compute (scorecard.ts scoreOf): Σ weight × score/max over items not N/A; a critical zero vetoes. */
export function preview(items: ScorecardItem[], rows: Record<string, Row>): number | null {
  let got = 0;
  let total = 0;
  for (const it of items) {
    const s = rows[it.key]?.score;
    if (s === undefined) return null;
    if (s === 'na') continue;
    if (it.critical && s === 0) return 0;
    got += (it.weight * s) / maxOf(it);
    total += it.weight;
  }
  return total ? Math.round((got / total) * 1000) / 10 : 100;
}

export function ScoreInput({ item, value, onChange }: { item: ScorecardItem; value: Score; onChange: (v: Score) => void }) {
  const { t } = useTranslation();
  const max = maxOf(item);
  if (item.scale.kind === 'yesno' || max <= 10)
    return (
      <Radio.Group value={value} onChange={(e) => onChange(e.target.value as Score)} optionType="button" size="small" data-testid={`score-${item.key}`}>
        {item.scale.kind === 'yesno' ? (
          <>
            <Radio.Button value={1}>{t('quality.inspect.yes')}</Radio.Button>
            <Radio.Button value={0}>{t('quality.inspect.no')}</Radio.Button>
          </>
        ) : (
          Array.from({ length: max + 1 }, (_, i) => (
            <Radio.Button key={i} value={i}>
              {i}
            </Radio.Button>
          ))
        )}
        {item.allowNa ? <Radio.Button value="na">{t('quality.inspect.na')}</Radio.Button> : null}
      </Radio.Group>
    );
  return <InputNumber min={0} max={max} value={typeof value === 'number' ? value : null} onChange={(v) => onChange(v ?? undefined)} />;
}

/** The evidence a Select value stands for, as the submit body carries it (the whole reply = the span 0..length). */
function evidenceOf(
  ev: string | undefined,
  ticket: TicketDetail | undefined,
): { replyId: string; start: number; end: number } | { eventId: number } | undefined {
  if (ev?.startsWith('e:')) return { eventId: Number(ev.slice(2)) };
  const [kind, id, start, end] = (ev ?? '').split(':');
  const reply = ticket?.replies.find((x) => x.id === id);
  if (!reply) return undefined;
  if (kind === 'r') return { replyId: reply.id, start: 0, end: reply.body.length };
  if (kind === 'q') return { replyId: reply.id, start: Number(start), end: Number(end) };
  return undefined;
}

/** The inspector scores item by item with evidence (quote a reply or part of one / pin a timeline event) and gives sandwich feedback. */
export function ScoringForm({
  inspection,
  ticket,
  selection = null,
  onQuoted,
}: {
  inspection: Inspection;
  ticket: TicketDetail | undefined;
  /** Text selected inside one reply of the ticket pane: 引用所选文字 attaches it to an item. */
  selection?: ReplySelection | null;
  onQuoted?: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ strength: string; improvement: string; encouragement: string }>();
  const items = inspection.scorecard.items;
  const [rows, setRows] = useState<Record<string, Row>>({});
  const set = (key: string, patch: Partial<Row>) => setRows((r) => ({ ...r, [key]: { ...r[key], ...patch } as Row }));
  const score = preview(items, rows);
  // Spans quoted so far (by any item) are options too, so each item's Select can show and swap them.
  const quoted = useMemo(() => {
    const m = new Map<string, string>();
    for (const r of Object.values(rows)) {
      const ev = evidenceOf(r.evidence, ticket);
      if (r.evidence?.startsWith('q:') && ev && 'replyId' in ev) {
        const body = ticket?.replies.find((x) => x.id === ev.replyId)?.body ?? '';
        m.set(r.evidence, `“${body.slice(ev.start, ev.end).slice(0, 40)}”`);
      }
    }
    return [...m].map(([value, label]) => ({ value, label }));
  }, [rows, ticket]);
  const evidenceOptions = useMemo(
    () => [
      ...(quoted.length ? [{ label: t('quality.inspect.quotedSpans'), options: quoted }] : []),
      {
        label: t('quality.inspect.quoteReply'),
        options: (ticket?.replies ?? [])
          .filter((r) => r.authorKind === 'staff')
          .map((r) => ({ value: `r:${r.id}`, label: `${r.authorName ?? ''}：${r.body.slice(0, 40)}` })),
      },
      {
        label: t('quality.inspect.pinEvent'),
        options: (ticket?.timeline ?? []).slice(-30).map((e) => ({ value: `e:${e.id}`, label: e.title })),
      },
    ],
    [ticket, t, quoted],
  );
  const quote = (key: string) => {
    if (!selection) return;
    set(key, { evidence: `q:${selection.replyId}:${selection.start}:${selection.end}` });
    onQuoted?.();
  };
  const submit = useMutation({
    mutationFn: (fb: SubmitBody['feedback']) => {
      const scores = items.map((it) => {
        const r = rows[it.key] ?? { score: undefined };
        const evidence = evidenceOf(r.evidence, ticket);
        return {
          item: it.key,
          score: r.score === 'na' || r.score === undefined ? null : r.score,
          ...(evidence ? { evidence } : {}),
          ...(r.note ? { note: r.note } : {}),
        };
      });
      return http.post('/qa/inspections/{id}/submit', { path: { id: inspection.id }, body: { scores, feedback: fb } });
    },
    onSuccess: async (res) => {
      void message.success(t('quality.inspect.submitted', { score: res.score }));
      await qc.invalidateQueries({ queryKey: QA_KEYS.all });
    },
    onError: (err) =>
      showError(err, {
        form,
        fields: ['strength', 'improvement', 'encouragement'],
        fieldMap: { 'feedback.strength': 'strength', 'feedback.improvement': 'improvement', 'feedback.encouragement': 'encouragement' },
      }),
  });
  const missing = items.filter((it) => rows[it.key]?.score === undefined).length;
  return (
    <Flex vertical gap={12}>
      <Card
        size="small"
        title={`${inspection.scorecard.name} · v${inspection.scorecard.version}`}
        extra={
          <Tag color={scoreColor(score, inspection.scorecard.passMark)} data-testid="qa-preview">
            {score === null ? t('quality.inspect.unscored', { count: missing }) : t('quality.score', { score })}
          </Tag>
        }
      >
        <Flex vertical gap={10}>
          {items.map((it) => (
            <div key={it.key} className="chidu-qa-item" data-testid={`item-${it.key}`}>
              <Flex justify="space-between" align="center" gap={8} wrap>
                <Typography.Text strong>
                  {it.label}{' '}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t(`quality.dimension.${it.dimension}`)} · {t('quality.weight', { weight: it.weight })}
                  </Typography.Text>
                  {it.critical ? (
                    <Tag color="red" style={{ marginInlineStart: 6 }}>
                      {t('quality.critical')}
                    </Tag>
                  ) : null}
                </Typography.Text>
                <ScoreInput item={it} value={rows[it.key]?.score} onChange={(v) => set(it.key, { score: v })} />
              </Flex>
              <Flex gap={8} style={{ marginTop: 6 }} wrap>
                <Select
                  allowClear
                  size="small"
                  style={{ flex: '1 1 220px', minWidth: 0 }}
                  placeholder={t('quality.inspect.evidence')}
                  options={evidenceOptions}
                  value={rows[it.key]?.evidence}
                  onChange={(v: string | undefined) => set(it.key, { evidence: v })}
                  data-testid={`evidence-${it.key}`}
                />
                {selection ? (
                  <Button size="small" onClick={() => quote(it.key)} data-testid={`quote-selection-${it.key}`}>
                    {t('quality.inspect.quoteSelection')}
                  </Button>
                ) : null}
                <Input
                  size="small"
                  style={{ flex: '1 1 160px' }}
                  placeholder={t('quality.inspect.note')}
                  value={rows[it.key]?.note}
                  onChange={(e) => set(it.key, { note: e.target.value })}
                  maxLength={1000}
                />
              </Flex>
            </div>
          ))}
        </Flex>
      </Card>
      <Card size="small" title={t('quality.feedback.title')} extra={<Typography.Text type="secondary">{t('quality.feedback.hint')}</Typography.Text>}>
        <Form form={form} layout="vertical" onFinish={(v) => submit.mutate(v)} requiredMark>
          {(['strength', 'improvement', 'encouragement'] as const).map((k) => (
            <Form.Item
              key={k}
              name={k}
              label={t(`quality.feedback.${k}`)}
              rules={[{ required: true, whitespace: true, message: t('quality.feedback.required') }]}
            >
              <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={2000} data-testid={`feedback-${k}`} />
            </Form.Item>
          ))}
          <Button type="primary" htmlType="submit" loading={submit.isPending} disabled={missing > 0} data-testid="qa-submit">
            {t('quality.inspect.submit')}
          </Button>
        </Form>
      </Card>
    </Flex>
  );
}
