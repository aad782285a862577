import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Empty,
  Flex,
  Image,
  Input,
  Result,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
  Upload,
  type UploadFile,
} from 'antd';
import { CameraOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { http } from '../../api/client';
import { errorMessage } from '../../lib/apiErrors';
import { useFormat, usePermission } from '../auth/me';
import { maxOf, scoreColor, type ScorecardItem } from '../quality/api';
import { preview, ScoreInput } from '../quality/ScoringForm';
import { evidenceUrl, MYSTERY_KEYS, uploadEvidence, useVisit, type MysteryVisit } from './api';

type Score = number | 'na' | undefined;

/** A mystery-shopper visit (390×844 first): the shopper records it; afterwards everyone who may see it reads the result. */
export default function VisitPage() {
  const { id } = useParams();
  const visit = useVisit(id);
  const { t } = useTranslation();
  if (visit.isLoading) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (!visit.data) return <Result status="404" title={t('mystery.visit.notFound')} />;
  return (
    <div style={{ maxWidth: 640, margin: '0 auto', padding: 12 }}>
      <Header v={visit.data} />
      {visit.data.allowed.submit ? <Record v={visit.data} /> : <Outcome v={visit.data} />}
    </div>
  );
}

function Header({ v }: { v: MysteryVisit }) {
  const { t } = useTranslation();
  return (
    <Card size="small" style={{ marginBottom: 12 }}>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {v.script.title}
      </Typography.Title>
      <Space wrap>
        <Tag color={v.kind === 'mystery' ? 'purple' : v.kind === 'open' ? 'blue' : 'cyan'}>{t(`mystery.kind.${v.kind}`)}</Tag>
        <Tag>{v.site.name}</Tag>
        <Tag>{t(`mystery.channel.${v.channel}`)}</Tag>
        <Tag color={v.overdue ? 'red' : undefined}>{t('mystery.visit.plannedOn', { date: v.plannedOn })}</Tag>
        {v.shopper ? <Tag>{t('mystery.visit.shopper', { name: v.shopper.name })}</Tag> : null}
      </Space>
      <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>{v.script.story}</Typography.Paragraph>
    </Card>
  );
}

const useServable = () => useQuery({ queryKey: ['mystery-servable'], queryFn: () => http.get('/staff', { query: { limit: 200 } }) });

function Record({ v }: { v: MysteryVisit }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const items = v.scorecard.items as unknown as ScorecardItem[];
  const [visitedAt, setVisitedAt] = useState<Dayjs>(dayjs());
  const [steps, setSteps] = useState<boolean[]>(v.script.steps.map(() => false));
  const [scores, setScores] = useState<Record<string, { score: Score; note?: string }>>({});
  const [files, setFiles] = useState<UploadFile<{ id: string }>[]>([]);
  const [served, setServed] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const staff = useServable();
  const live = preview(items, scores);
  const ids = files.filter((f) => f.status === 'done' && f.response?.id).map((f) => f.response!.id);
  const submit = useMutation({
    mutationFn: () =>
      http.post('/qa/mystery/visits/{id}/submit', {
        path: { id: v.id },
        body: {
          visitedAt: visitedAt.toISOString(),
          steps,
          scores: items.map((it) => {
            const s = scores[it.key];
            return { item: it.key, score: s?.score === 'na' ? null : (s?.score ?? null), ...(s?.note?.trim() ? { note: s.note.trim() } : {}) };
          }),
          evidence: ids,
          servedIds: served,
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      }),
    onSuccess: async () => {
      window.scrollTo(0, 0);
      await qc.invalidateQueries({ queryKey: MYSTERY_KEYS.visit(v.id) });
      await qc.invalidateQueries({ queryKey: ['mystery-month'] });
      await qc.invalidateQueries({ queryKey: ['mystery-visits'] });
    },
    onError: (err) => message.error(errorMessage(err, t)),
  });
  const unscored = items.filter((it) => scores[it.key]?.score === undefined).length;
  return (
    <Flex vertical gap={12}>
      <Card size="small" title={t('mystery.visit.when')}>
        <DatePicker
          showTime={{ format: 'HH:mm' }}
          format="YYYY-MM-DD HH:mm"
          size="large"
          allowClear={false}
          inputReadOnly
          style={{ width: '100%' }}
          value={visitedAt}
          disabledDate={(d) => d.isAfter(dayjs(), 'day')}
          onChange={(d) => d && setVisitedAt(d)}
          data-testid="visit-at"
        />
      </Card>
      <Card size="small" title={t('mystery.visit.steps')}>
        <Flex vertical gap={8}>
          {v.script.steps.map((s, i) => (
            <Checkbox
              key={i}
              checked={steps[i]}
              onChange={(e) => setSteps(steps.map((x, j) => (j === i ? e.target.checked : x)))}
              data-testid={`visit-step-${i}`}
            >
              {i + 1}. {s}
            </Checkbox>
          ))}
        </Flex>
      </Card>
      <Card size="small" title={t('mystery.visit.scorecard', { name: v.scorecard.name, pass: v.scorecard.passMark })}>
        <Flex vertical gap={12}>
          {items.map((it) => (
            <div key={it.key}>
              <Typography.Text strong>
                {it.label} {it.critical ? <Tag color="red">{t('mystery.visit.critical')}</Tag> : null}
                <Typography.Text type="secondary"> {t('mystery.visit.weight', { w: it.weight, max: maxOf(it) })}</Typography.Text>
              </Typography.Text>
              <div style={{ margin: '6px 0' }}>
                <ScoreInput item={it} value={scores[it.key]?.score} onChange={(s) => setScores({ ...scores, [it.key]: { ...scores[it.key], score: s } })} />
              </div>
              <Input
                placeholder={t('mystery.visit.itemNote')}
                value={scores[it.key]?.note ?? ''}
                onChange={(e) => setScores({ ...scores, [it.key]: { ...scores[it.key], score: scores[it.key]?.score, note: e.target.value } })}
              />
            </div>
          ))}
        </Flex>
      </Card>
      <Card size="small" title={t('mystery.visit.evidence')}>
        {v.script.evidence.length ? (
          <Typography.Paragraph type="secondary">
            {t('mystery.visit.bring', { what: v.script.evidence.map((e) => t(`mystery.evidence.${e}`)).join('、') })}
          </Typography.Paragraph>
        ) : null}
        <Upload<{ id: string }>
          listType="picture"
          accept="image/*,audio/*,video/mp4"
          fileList={files}
          onChange={({ fileList }) => setFiles(fileList)}
          customRequest={({ file, onSuccess, onError }) => {
            uploadEvidence(file as File)
              .then((meta) => onSuccess?.(meta))
              .catch((err: unknown) => onError?.(new Error(errorMessage(err, t))));
          }}
        >
          <Button icon={<CameraOutlined />} size="large" data-testid="visit-evidence">
            {t('mystery.visit.addEvidence')}
          </Button>
        </Upload>
      </Card>
      <Card size="small" title={t('mystery.visit.served')}>
        <Select
          mode="multiple"
          size="large"
          style={{ width: '100%' }}
          optionFilterProp="label"
          placeholder={t('mystery.visit.servedHint')}
          value={served}
          onChange={setServed}
          options={(staff.data?.items ?? []).filter((s) => s.active).map((s) => ({ value: s.id, label: `${s.name}（${s.employeeNo}）` }))}
          data-testid="visit-served"
        />
        <Input.TextArea rows={2} style={{ marginTop: 8 }} placeholder={t('mystery.visit.note')} value={note} onChange={(e) => setNote(e.target.value)} />
      </Card>
      <Card size="small">
        <Flex justify="space-between" align="center" gap={8} wrap>
          <Typography.Text data-testid="visit-live">
            {live === null ? t('mystery.visit.unscored', { n: unscored }) : t('mystery.visit.live', { score: live })}
          </Typography.Text>
          <Button
            type="primary"
            size="large"
            disabled={unscored > 0 || files.some((f) => f.status === 'uploading')}
            loading={submit.isPending}
            onClick={() => submit.mutate()}
            data-testid="visit-submit"
          >
            {t('mystery.visit.submit')}
          </Button>
        </Flex>
      </Card>
    </Flex>
  );
}

function Outcome({ v }: { v: MysteryVisit }) {
  const { t } = useTranslation();
  const f = useFormat();
  const isQa = usePermission('qa.view');
  const items = v.scorecard.items as unknown as ScorecardItem[];
  if (v.state !== 'submitted')
    return <Alert type="info" showIcon message={t('mystery.visit.notYet')} description={isQa ? null : t('mystery.visit.notYetShopper')} />;
  const byKey = new Map(v.scores.map((s) => [s.item, s]));
  return (
    <Flex vertical gap={12}>
      <Card size="small">
        <Flex align="baseline" gap={12} wrap>
          <Typography.Title level={2} style={{ margin: 0, color: scoreColor(v.score ?? 0, v.scorecard.passMark) }} data-testid="visit-score">
            {t('mystery.visit.points', { score: v.score })}
          </Typography.Title>
          <Tag color={v.passed ? 'green' : 'red'}>{v.passed ? t('mystery.visit.passed') : t('mystery.visit.failed')}</Tag>
          <Typography.Text type="secondary">{t('mystery.visit.visitedAt', { at: f.dateTime(v.visitedAt) })}</Typography.Text>
        </Flex>
        {v.served.length ? (
          <Typography.Paragraph style={{ marginTop: 8 }}>{t('mystery.visit.servedBy', { names: v.served.map((s) => s.name).join('、') })}</Typography.Paragraph>
        ) : null}
        {v.note ? <Typography.Paragraph>{v.note}</Typography.Paragraph> : null}
      </Card>
      <Card size="small" title={t('mystery.visit.steps')}>
        {v.steps.map((s, i) => (
          <div key={i}>
            <Tag color={s.done ? 'green' : 'default'}>{s.done ? t('mystery.visit.stepDone') : t('mystery.visit.stepSkipped')}</Tag>
            {i + 1}. {s.step}
          </div>
        ))}
      </Card>
      <Card size="small" title={t('mystery.visit.scorecard', { name: v.scorecard.name, pass: v.scorecard.passMark })}>
        {items.map((it) => {
          const s = byKey.get(it.key);
          const low = s && s.score !== null && s.score < 0.6 * maxOf(it);
          return (
            <Flex
              key={it.key}
              justify="space-between"
              gap={8}
              style={{ padding: '4px 0', borderBottom: '1px solid #f0f0f0' }}
              data-testid={`visit-item-${it.key}`}
            >
              <span>
                {it.label}
                {s?.note ? <Typography.Text type="secondary"> — {s.note}</Typography.Text> : null}
              </span>
              <Tag color={low ? 'red' : 'green'}>{s?.score === null ? t('mystery.visit.na') : `${s?.score ?? '—'} / ${maxOf(it)}`}</Tag>
            </Flex>
          );
        })}
      </Card>
      <Card size="small" title={t('mystery.visit.evidence')}>
        {v.evidence.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : null}
        <Flex gap={8} wrap>
          {v.evidence.map((e) =>
            e.mime.startsWith('image/') ? (
              <Image key={e.attachmentId} src={evidenceUrl(v.id, e.attachmentId)} width={120} alt={e.filename} />
            ) : e.mime.startsWith('audio/') ? (
              <audio key={e.attachmentId} controls src={evidenceUrl(v.id, e.attachmentId)} />
            ) : (
              <a key={e.attachmentId} href={evidenceUrl(v.id, e.attachmentId)}>
                {e.filename}
              </a>
            ),
          )}
        </Flex>
      </Card>
      {isQa ? <Link to="/qa/mystery">{t('mystery.visit.back')}</Link> : <Link to="/qa/mine">{t('mystery.visit.backMine')}</Link>}
    </Flex>
  );
}
