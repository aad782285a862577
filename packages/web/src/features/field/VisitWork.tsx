import { useRef, useState } from 'react';
import { Alert, App, Button, Divider, Flex, Input, InputNumber, Rate, Select, Space, Switch, Tag, Typography } from 'antd';
import { CameraOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../lib/apiErrors';
import { formatFen, yuanToFen } from '../../lib/money';
import { createSignoffLink, useFieldParts, useVisitParts, useVisitWork, type PhotoPhase, type QuoteItem, type SignoffLink } from './api';
import { queuedWork, type OfflineQueue, type QueueItem } from './offlineQueue';
import { MAX_SIGNATURE_BYTES, SignaturePad } from './SignaturePad';
import { SignoffQr } from './SignoffQr';
import { takeAction } from './useFieldQueue';
import { compressVisitPhoto } from './visitPhoto';

/** Whether a quote waits for the customer (server's or queued), which blocks 开始维修 (server: 409 quote_pending). */
export function quotePending(serverQuote: { state?: string } | null | undefined, queued: ReturnType<typeof queuedWork>): boolean {
  if (queued.quoteAccepted) return false;
  if (queued.quote) return true;
  return serverQuote?.state === 'pending';
}

/**
 * The work at the visit once the technician has arrived (api.md, engineers A and B): before/after photos, a quote the
 * customer confirms before work starts, parts from the van, and after 完成 the customer's sign-off (signature on this
 * phone, or a one-time link for theirs). Every write goes through the offline queue.
 */
export function VisitWork({ visitId, state, queue, items }: { visitId: string; state: string; queue: OfflineQueue; items: readonly QueueItem[] }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const online = typeof navigator === 'undefined' || navigator.onLine;
  const work = useVisitWork(visitId, true);
  const used = useVisitParts(visitId, true);
  const queued = queuedWork(visitId, items);
  const serverPhotos = work.data?.photos ?? [];
  const count = (phase: PhotoPhase) => serverPhotos.filter((p) => p.phase === phase).length + queued.photos[phase];
  const signedOnServer = Boolean(work.data?.signoff);
  const signed = signedOnServer || queued.signed;
  const arrivedOnly = state === 'arrived';
  const completed = state === 'completed';
  const money = (fen: number) => formatFen(fen, i18n.language);

  // photos
  const [keepLocation, setKeepLocation] = useState(false);
  const [phase, setPhase] = useState<PhotoPhase>('before');
  const fileInput = useRef<HTMLInputElement>(null);
  const takePhoto = (p: PhotoPhase) => {
    setPhase(p);
    fileInput.current?.click();
  };
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    const f = await compressVisitPhoto(file, keepLocation);
    await takeAction(queue, {
      visitId,
      kind: 'photo',
      method: 'POST',
      path: `/visits/${visitId}/photos`,
      form: { fields: { phase, keepLocation: String(keepLocation) }, file: { name: f.name, type: f.type, bytes: f.bytes } },
    });
    message.success(t('fieldApp.photos.queued', { phase: t(`fieldApp.photos.${phase}`) }));
  };

  // quote
  const [lines, setLines] = useState<{ description: string; yuan: number | null }[]>([{ description: '', yuan: null }]);
  const quoteItems: QuoteItem[] = lines.flatMap((l) =>
    l.description.trim() && l.yuan !== null ? [{ description: l.description.trim(), amountFen: yuanToFen(l.yuan) ?? 0 }] : [],
  );
  const quoteTotal = quoteItems.reduce((s, i) => s + i.amountFen, 0);
  const serverQuote = work.data?.quote ?? null;
  const shownQuote = queued.quote
    ? { items: queued.quote.items, accepted: queued.quoteAccepted }
    : serverQuote
      ? { items: serverQuote.items ?? [], accepted: serverQuote.state === 'accepted' || queued.quoteAccepted }
      : null;
  const shownTotal = shownQuote ? (serverQuote && !queued.quote ? (serverQuote.totalFen ?? 0) : shownQuote.items.reduce((s, i) => s + i.amountFen, 0)) : 0;

  // parts
  const parts = useFieldParts();
  const [partId, setPartId] = useState<string | null>(null);
  const [qty, setQty] = useState<number | null>(1);
  const partName = (id: string) => parts.data?.items.find((p) => p.id === id);

  // sign-off
  const [signature, setSignature] = useState<string | null>(null);
  const [rating, setRating] = useState(5);
  const [comment, setComment] = useState('');
  const [link, setLink] = useState<SignoffLink | null>(null);
  const [linkError, setLinkError] = useState<string | null>(null);
  const signatureTooBig = signature !== null && signature.length * 0.75 > MAX_SIGNATURE_BYTES;

  return (
    <div data-testid="visit-work" style={{ marginTop: 10 }}>
      <Divider style={{ margin: '8px 0' }} />
      <Typography.Text strong>{t('fieldApp.photos.title')}</Typography.Text>
      <Flex gap={8} style={{ marginTop: 6 }}>
        {(['before', 'after'] as const).map((p) => (
          <Button key={p} block size="large" icon={<CameraOutlined />} disabled={signed} onClick={() => takePhoto(p)} data-testid={`photo-${p}`}>
            {t(`fieldApp.photos.take_${p}`)} ({count(p)})
          </Button>
        ))}
      </Flex>
      <input
        ref={fileInput}
        type="file"
        accept="image/*"
        capture="environment"
        data-testid="photo-input"
        style={{ display: 'none' }}
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          void onFile(file).catch((err: unknown) => message.error(errorMessage(err, t)));
        }}
      />
      <Flex align="center" gap={8} style={{ marginTop: 6 }}>
        <Switch checked={keepLocation} onChange={setKeepLocation} aria-label={t('fieldApp.photos.keepLocation')} />
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('fieldApp.photos.keepLocation')}
        </Typography.Text>
      </Flex>

      <Divider style={{ margin: '10px 0' }} />
      <Typography.Text strong>{t('fieldApp.quote.title')}</Typography.Text>
      {shownQuote ? (
        <div style={{ marginTop: 6 }} data-testid="quote">
          {shownQuote.items.map((i, n) => (
            <Flex key={n} justify="space-between">
              <Typography.Text>{i.description}</Typography.Text>
              <Typography.Text>{money(i.amountFen)}</Typography.Text>
            </Flex>
          ))}
          <Flex justify="space-between" style={{ marginTop: 4 }}>
            <Typography.Text strong>{t('fieldApp.quote.total')}</Typography.Text>
            <Typography.Text strong>{money(shownTotal)}</Typography.Text>
          </Flex>
          {shownQuote.accepted ? (
            <Tag color="green" style={{ marginTop: 6 }}>
              {t('fieldApp.quote.accepted')}
            </Tag>
          ) : (
            <Space direction="vertical" style={{ width: '100%', marginTop: 6 }}>
              <Typography.Text type="warning">{t('fieldApp.quote.pendingHint')}</Typography.Text>
              <Button
                block
                size="large"
                type="primary"
                onClick={() => void takeAction(queue, { visitId, kind: 'quote_accept', method: 'POST', path: `/visits/${visitId}/quote/accept`, body: {} })}
              >
                {t('fieldApp.quote.customerAccepts')}
              </Button>
            </Space>
          )}
        </div>
      ) : arrivedOnly ? (
        <Space direction="vertical" style={{ width: '100%', marginTop: 6 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('fieldApp.quote.hint')}
          </Typography.Text>
          {lines.map((l, n) => (
            <Flex key={n} gap={6}>
              <Input
                size="large"
                placeholder={t('fieldApp.quote.item')}
                value={l.description}
                maxLength={200}
                onChange={(e) => setLines(lines.map((x, m) => (m === n ? { ...x, description: e.target.value } : x)))}
              />
              <InputNumber
                size="large"
                min={0}
                max={1_000_000}
                precision={2}
                placeholder={t('fieldApp.quote.yuan')}
                value={l.yuan}
                style={{ width: 130 }}
                onChange={(v) => setLines(lines.map((x, m) => (m === n ? { ...x, yuan: v } : x)))}
              />
              {lines.length > 1 ? (
                <Button
                  size="large"
                  icon={<DeleteOutlined />}
                  aria-label={t('fieldApp.quote.remove')}
                  onClick={() => setLines(lines.filter((_, m) => m !== n))}
                />
              ) : null}
            </Flex>
          ))}
          <Flex justify="space-between" align="center">
            <Button icon={<PlusOutlined />} onClick={() => setLines([...lines, { description: '', yuan: null }])}>
              {t('fieldApp.quote.addItem')}
            </Button>
            <Typography.Text strong>
              {t('fieldApp.quote.total')} {money(quoteTotal)}
            </Typography.Text>
          </Flex>
          <Button
            block
            size="large"
            disabled={quoteItems.length === 0}
            onClick={() => void takeAction(queue, { visitId, kind: 'quote', method: 'POST', path: `/visits/${visitId}/quote`, body: { items: quoteItems } })}
          >
            {t('fieldApp.quote.submit')}
          </Button>
        </Space>
      ) : (
        <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
          {t('fieldApp.quote.none')}
        </Typography.Text>
      )}

      <Divider style={{ margin: '10px 0' }} />
      <Typography.Text strong>{t('fieldApp.parts.title')}</Typography.Text>
      <div style={{ marginTop: 6 }} data-testid="parts">
        {(used.data?.items ?? []).map((u) => (
          <Flex key={u.id} justify="space-between">
            <Typography.Text>{`${u.code} ${u.name}`}</Typography.Text>
            <Typography.Text>× {u.qty}</Typography.Text>
          </Flex>
        ))}
        {queued.parts.map((p) => {
          const part = partName(p.partId);
          return (
            <Flex key={p.key} justify="space-between" align="center">
              <Typography.Text>{part ? `${part.code} ${part.name}` : p.partId}</Typography.Text>
              <Space size={4}>
                <Typography.Text>× {p.qty}</Typography.Text>
                <Tag>{t('fieldApp.sync.queuedTag')}</Tag>
                <Button size="small" type="text" icon={<DeleteOutlined />} aria-label={t('fieldApp.parts.remove')} onClick={() => void queue.discard(p.key)} />
              </Space>
            </Flex>
          );
        })}
      </div>
      {!signed ? (
        <Space direction="vertical" style={{ width: '100%', marginTop: 6 }}>
          <Select
            showSearch
            size="large"
            style={{ width: '100%' }}
            placeholder={t('fieldApp.parts.pick')}
            optionFilterProp="label"
            value={partId}
            onChange={setPartId}
            loading={parts.isLoading}
            notFoundContent={parts.isError ? t('fieldApp.parts.unavailable') : t('fieldApp.parts.none')}
            options={(parts.data?.items ?? []).map((p) => ({
              value: p.id,
              label: `${p.code} ${p.name} · ${t('fieldApp.parts.van', { qty: p.vanQty, unit: p.unit })}`,
            }))}
            data-testid="part-picker"
          />
          <Flex gap={8}>
            <InputNumber size="large" min={1} max={1000} value={qty} onChange={setQty} style={{ width: 120 }} aria-label={t('fieldApp.parts.qty')} />
            <Button
              block
              size="large"
              disabled={!partId || !qty}
              onClick={() => {
                if (!partId || !qty) return;
                void takeAction(queue, { visitId, kind: 'part', method: 'POST', path: `/visits/${visitId}/parts`, body: { partId, qty } });
                setPartId(null);
                setQty(1);
              }}
            >
              {t('fieldApp.parts.add')}
            </Button>
          </Flex>
        </Space>
      ) : null}

      {completed ? (
        <>
          <Divider style={{ margin: '10px 0' }} />
          <Typography.Text strong>{t('fieldApp.signoff.title')}</Typography.Text>
          {signed ? (
            <Alert
              style={{ marginTop: 6 }}
              type="success"
              showIcon
              message={signedOnServer ? t('fieldApp.signoff.done') : t('fieldApp.signoff.doneQueued')}
              data-testid="signoff-done"
            />
          ) : (
            <Space direction="vertical" style={{ width: '100%', marginTop: 6 }}>
              <SignaturePad onChange={setSignature} />
              <Flex align="center" gap={8}>
                <Typography.Text>{t('fieldApp.signoff.rating')}</Typography.Text>
                <Rate value={rating} onChange={(v) => setRating(v || 1)} style={{ fontSize: 28 }} />
              </Flex>
              <Input.TextArea
                rows={2}
                maxLength={1000}
                placeholder={t('fieldApp.signoff.comment')}
                value={comment}
                onChange={(e) => setComment(e.target.value)}
              />
              {signatureTooBig ? <Typography.Text type="danger">{t('fieldApp.signoff.tooBig')}</Typography.Text> : null}
              <Button
                block
                size="large"
                type="primary"
                disabled={!signature || signatureTooBig}
                onClick={() => {
                  if (!signature) return;
                  void takeAction(queue, {
                    visitId,
                    kind: 'signoff',
                    method: 'POST',
                    path: `/visits/${visitId}/signoff`,
                    body: { signature, rating, ...(comment.trim() ? { comment: comment.trim() } : {}) },
                  });
                }}
              >
                {t('fieldApp.signoff.submit')}
              </Button>
              <Button
                block
                size="large"
                disabled={!online}
                onClick={() => {
                  setLinkError(null);
                  createSignoffLink(visitId).then(setLink, (err: unknown) => setLinkError(errorMessage(err, t)));
                }}
              >
                {t('fieldApp.signoff.sendLink')}
              </Button>
              {!online ? (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('fieldApp.signoff.linkNeedsNetwork')}
                </Typography.Text>
              ) : null}
              {linkError ? <Alert type="error" showIcon message={linkError} /> : null}
              {link ? (
                <Alert
                  type="info"
                  message={t('fieldApp.signoff.linkReady', { time: new Date(link.expiresAt).toLocaleString(i18n.language) })}
                  description={<SignoffQr url={link.url} />}
                />
              ) : null}
            </Space>
          )}
        </>
      ) : null}
    </div>
  );
}
