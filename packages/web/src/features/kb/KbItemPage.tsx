import './kb.css';
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Empty,
  Flex,
  Form,
  Input,
  List,
  Modal,
  Result,
  Row,
  Select,
  Space,
  Tag,
  Timeline,
  Tooltip,
  TreeSelect,
  Typography,
} from 'antd';
import {
  ArrowLeftOutlined,
  BoldOutlined,
  CheckOutlined,
  EditOutlined,
  FlagOutlined,
  HistoryOutlined,
  ItalicOutlined,
  LinkOutlined,
  OrderedListOutlined,
  RollbackOutlined,
  SendOutlined,
  StopOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { PageSpinner } from '../../layout/AppLayout';
import { errorMessage } from '../../lib/apiErrors';
import { useApiError } from '../../lib/useApiError';
import { useFormat } from '../auth/me';
import { KB_KINDS, kbApi, kbKeys, type KbAudience, type KbItem, type KbItemInput, type KbKind } from './api';
import { buildTree, useKbCategories } from './KbPage';
import { KbStatusTag, KindTag } from './ui';

const PLACEHOLDERS = ['客户称呼', '工单号', '预计时间', '技师姓名', '客服姓名', '服务地址'];

/** Minimal rich-text editor (contentEditable + a toolbar); the server sanitises whatever it receives. */
function RichEditor({ value, onChange }: { value?: string; onChange?: (html: string) => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ref.current && value !== undefined && ref.current.innerHTML !== value && document.activeElement !== ref.current) ref.current.innerHTML = value;
  }, [value]);
  const cmd = (name: string, arg?: string) => {
    ref.current?.focus();
    document.execCommand(name, false, arg);
    onChange?.(ref.current?.innerHTML ?? '');
  };
  const tools: [string, React.ReactNode, () => void][] = [
    [
      t('kb.editor.heading'),
      <span key="h" style={{ fontWeight: 700 }}>
        H
      </span>,
      () => cmd('formatBlock', 'h3'),
    ],
    [t('kb.editor.bold'), <BoldOutlined key="b" />, () => cmd('bold')],
    [t('kb.editor.italic'), <ItalicOutlined key="i" />, () => cmd('italic')],
    [t('kb.editor.ol'), <OrderedListOutlined key="ol" />, () => cmd('insertOrderedList')],
    [t('kb.editor.ul'), <UnorderedListOutlined key="ul" />, () => cmd('insertUnorderedList')],
    [
      t('kb.editor.link'),
      <LinkOutlined key="a" />,
      () => {
        const url = window.prompt(t('kb.editor.linkPrompt'), 'https://');
        if (url) cmd('createLink', url);
      },
    ],
    [t('kb.editor.paragraph'), <span key="p">¶</span>, () => cmd('formatBlock', 'p')],
  ];
  return (
    <div className="chidu-kb-editor">
      <Flex gap={4} className="chidu-kb-editor-toolbar" wrap>
        {tools.map(([label, icon, fn]) => (
          <Tooltip key={label} title={label}>
            <Button size="small" type="text" icon={icon} onMouseDown={(e) => e.preventDefault()} onClick={fn} aria-label={label} />
          </Tooltip>
        ))}
      </Flex>
      <div
        ref={ref}
        className="chidu-kb-editor-area chidu-kb-body"
        contentEditable
        suppressContentEditableWarning
        onInput={() => onChange?.(ref.current?.innerHTML ?? '')}
        data-testid="kb-editor"
        role="textbox"
        aria-multiline
      />
    </div>
  );
}

interface FormValues {
  kind: KbKind;
  title: string;
  category: string;
  audience: KbAudience;
  scenario?: string;
  tags?: string[];
  variants?: string[];
  body: string;
  reviewDueOn?: dayjs.Dayjs | null;
  note?: string;
}

function Editor({ item, onDone }: { item: KbItem | null; onDone: (id: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const cats = useKbCategories();
  const tree = useMemo(() => buildTree(cats.data?.items ?? []), [cats.data]);
  const [form] = Form.useForm<FormValues>();
  const kind = Form.useWatch('kind', form) ?? item?.kind ?? 'article';
  const save = useMutation({
    mutationFn: (v: FormValues) => {
      const body: KbItemInput = {
        kind: v.kind,
        title: v.title,
        category: v.category,
        audience: v.audience,
        scenario: v.scenario?.trim() || null,
        tags: v.tags ?? [],
        variants: v.variants ?? [],
        body: v.body ?? '',
        reviewDueOn: v.reviewDueOn ? v.reviewDueOn.format('YYYY-MM-DD') : null,
      };
      if (item) return kbApi.update(item.id, { ...body, ...(v.note ? { note: v.note } : {}) });
      return kbApi.create({ ...body, title: v.title, category: v.category });
    },
    onSuccess: (r) => {
      void message.success(item && item.status !== r.status && r.status === 'draft' ? t('kb.withdrawn') : t('kb.saved'));
      void qc.invalidateQueries({ queryKey: kbKeys.all });
      onDone(r.id);
    },
    onError: (e) => {
      if (e instanceof ApiError && e.errors.length)
        form.setFields(
          e.errors.map((x) => ({ name: String(Array.isArray(x.path) ? x.path[0] : x.path).replace(/^\/?body\//, ''), errors: [x.message] })) as never,
        );
      showError(e);
    },
  });
  const insertPlaceholder = (p: string) => form.setFieldValue('body', `${form.getFieldValue('body') ?? ''}{${p}}`);
  return (
    <Card size="small" title={item ? t('kb.editTitle', { title: item.title }) : t('kb.new')}>
      {item && (item.status === 'published' || item.status === 'needs_update') && !item.allowed.review ? (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('kb.editPublishedHint')} />
      ) : null}
      <Form<FormValues>
        form={form}
        layout="vertical"
        onFinish={(v) => save.mutate(v)}
        initialValues={
          item
            ? {
                kind: item.kind,
                title: item.title,
                category: item.categoryId,
                audience: item.audience,
                scenario: item.scenario ?? undefined,
                tags: item.tags,
                variants: item.variants,
                body: item.kind === 'script' ? item.body : item.body,
                reviewDueOn: item.reviewDueOn ? dayjs(item.reviewDueOn) : null,
              }
            : { kind: 'article', audience: 'internal', body: '' }
        }
        data-testid="kb-form"
      >
        <Row gutter={16}>
          <Col xs={24} md={16}>
            <Form.Item name="title" label={t('kb.field.title')} rules={[{ required: true, whitespace: true, max: 200 }]}>
              <Input maxLength={200} data-testid="kb-title" />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item name="kind" label={t('kb.field.kind')}>
              <Select options={KB_KINDS.map((k) => ({ value: k, label: t(`kb.kind.${k}`) }))} data-testid="kb-kind" />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item name="category" label={t('kb.field.category')} rules={[{ required: true }]}>
              <TreeSelect
                treeData={tree}
                treeDefaultExpandAll
                showSearch={{ treeNodeFilterProp: 'title' }}
                placeholder={t('kb.pickCategory')}
                data-testid="kb-category"
              />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item name="audience" label={t('kb.field.audience')}>
              <Select options={(['internal', 'customer'] as const).map((a) => ({ value: a, label: t(`kb.audience.${a}`) }))} />
            </Form.Item>
          </Col>
          <Col xs={12} md={8}>
            <Form.Item name="scenario" label={t('kb.field.scenario')}>
              <Input maxLength={60} placeholder={t('kb.scenarioPlaceholder')} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="tags" label={t('kb.field.tags')}>
              <Select mode="tags" open={false} tokenSeparators={[',', '，', '、', ' ']} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="reviewDueOn" label={t('kb.field.reviewDueOn')}>
              <DatePicker style={{ width: '100%' }} />
            </Form.Item>
          </Col>
          {kind === 'faq' ? (
            <Col xs={24}>
              <Form.Item name="variants" label={t('kb.field.variants')} extra={t('kb.variantsHint')}>
                <Select mode="tags" open={false} tokenSeparators={['\n', '；']} />
              </Form.Item>
            </Col>
          ) : null}
        </Row>
        {kind === 'script' ? (
          <>
            <Form.Item name="body" label={t('kb.field.scriptBody')} rules={[{ required: true, whitespace: true }]} extra={t('kb.scriptHint')}>
              <Input.TextArea autoSize={{ minRows: 5, maxRows: 16 }} maxLength={5000} showCount data-testid="kb-script-body" />
            </Form.Item>
            <Flex gap={6} wrap style={{ marginTop: -8, marginBottom: 16 }}>
              {PLACEHOLDERS.map((p) => (
                <Tag key={p} style={{ cursor: 'pointer' }} onClick={() => insertPlaceholder(p)}>{`{${p}}`}</Tag>
              ))}
            </Flex>
          </>
        ) : (
          <Form.Item name="body" label={kind === 'faq' ? t('kb.field.answer') : t('kb.field.body')}>
            <RichEditor />
          </Form.Item>
        )}
        {item ? (
          <Form.Item name="note" label={t('kb.field.note')}>
            <Input maxLength={500} placeholder={t('kb.notePlaceholder')} />
          </Form.Item>
        ) : null}
        <Flex gap={8} justify="flex-end">
          <Button onClick={() => onDone(item?.id ?? '')}>{t('common.cancel')}</Button>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="kb-save">
            {t('kb.save')}
          </Button>
        </Flex>
      </Form>
    </Card>
  );
}

function Versions({ item }: { item: KbItem }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: kbKeys.versions(item.id), queryFn: () => kbApi.versions(item.id) });
  const [diffOf, setDiffOf] = useState<number | null>(null);
  const diff = useQuery({ queryKey: ['kb', 'diff', item.id, diffOf], queryFn: () => kbApi.diff(item.id, diffOf!), enabled: diffOf !== null });
  const restore = useMutation({
    mutationFn: (v: number) => kbApi.restore(item.id, v),
    onSuccess: () => {
      void message.success(t('kb.restored'));
      setDiffOf(null);
      void qc.invalidateQueries({ queryKey: kbKeys.all });
    },
    onError: (e) => showError(e),
  });
  return (
    <Card
      size="small"
      title={
        <span>
          <HistoryOutlined /> {t('kb.versions')}
        </span>
      }
      data-testid="kb-versions"
    >
      <List
        size="small"
        loading={q.isPending}
        dataSource={q.data?.items ?? []}
        renderItem={(v) => (
          <List.Item
            key={v.version}
            actions={[
              <Button key="d" size="small" type="link" onClick={() => setDiffOf(v.version)} data-testid="kb-version-diff">
                {t('kb.diff')}
              </Button>,
            ]}
          >
            <Flex vertical gap={2} style={{ minWidth: 0 }}>
              <Flex gap={6} align="center" wrap>
                <Typography.Text strong>v{v.version}</Typography.Text>
                {v.published ? (
                  <Tag color="success" style={{ marginInlineEnd: 0 }}>
                    {t('kb.publishedVersion')}
                  </Tag>
                ) : null}
                {v.current ? <Tag style={{ marginInlineEnd: 0 }}>{t('kb.currentVersion')}</Tag> : null}
              </Flex>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {v.authorName ?? '—'} · {fmt.dateTime(v.createdAt)}
                {v.note ? ` · ${v.note}` : ''}
              </Typography.Text>
            </Flex>
          </List.Item>
        )}
      />
      <Modal
        open={diffOf !== null}
        width={760}
        title={t('kb.diffTitle', { v: diffOf ?? 0, prev: diff.data?.against ?? '—' })}
        onCancel={() => setDiffOf(null)}
        footer={[
          <Button key="c" onClick={() => setDiffOf(null)}>
            {t('common.close')}
          </Button>,
          item.allowed.edit && diffOf !== item.version ? (
            <Button
              key="r"
              type="primary"
              icon={<RollbackOutlined />}
              loading={restore.isPending}
              onClick={() => restore.mutate(diffOf!)}
              data-testid="kb-restore"
            >
              {t('kb.restore', { v: diffOf })}
            </Button>
          ) : null,
        ]}
      >
        {diff.isPending ? (
          <PageSpinner />
        ) : diff.data ? (
          <pre className="chidu-kb-diff" data-testid="kb-diff">
            {diff.data.lines.map((l, i) => (
              <div key={i} className={`chidu-kb-diff-${l.op}`}>
                {l.op === 'add' ? '+ ' : l.op === 'del' ? '− ' : '  '}
                {l.text || ' '}
              </div>
            ))}
          </pre>
        ) : null}
      </Modal>
    </Card>
  );
}

function Workflow({ item }: { item: KbItem }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const [ask, setAsk] = useState<null | 'return' | 'flag' | 'retire'>(null);
  const [text, setText] = useState('');
  const done = (msg: string) => {
    void message.success(msg);
    setAsk(null);
    setText('');
    void qc.invalidateQueries({ queryKey: kbKeys.all });
  };
  const act = useMutation({
    mutationFn: async (a: 'submit' | 'approve' | 'return' | 'flag' | 'retire') => {
      if (a === 'submit') return kbApi.submit(item.id);
      if (a === 'approve') return kbApi.review(item.id, { decision: 'approve' });
      if (a === 'return') return kbApi.review(item.id, { decision: 'return', comment: text.trim() });
      if (a === 'flag') return kbApi.flag(item.id, text.trim());
      return kbApi.retire(item.id, text.trim() || undefined);
    },
    onSuccess: (_r, a) => done(t(`kb.done.${a}`)),
    onError: (e) => showError(e),
  });
  const a = item.allowed;
  return (
    <>
      <Space wrap>
        {a.submit ? (
          <Button type="primary" icon={<SendOutlined />} onClick={() => act.mutate('submit')} loading={act.isPending} data-testid="kb-submit">
            {t('kb.submit')}
          </Button>
        ) : null}
        {a.review ? (
          <Button type="primary" icon={<CheckOutlined />} onClick={() => act.mutate('approve')} loading={act.isPending} data-testid="kb-approve">
            {t('kb.approve')}
          </Button>
        ) : null}
        {a.review ? (
          <Button icon={<RollbackOutlined />} onClick={() => setAsk('return')} data-testid="kb-return">
            {t('kb.return')}
          </Button>
        ) : null}
        {a.flag ? (
          <Button icon={<FlagOutlined />} onClick={() => setAsk('flag')} data-testid="kb-flag">
            {t('kb.flag')}
          </Button>
        ) : null}
        {a.retire ? (
          <Button danger icon={<StopOutlined />} onClick={() => setAsk('retire')} data-testid="kb-retire">
            {t('kb.retire')}
          </Button>
        ) : null}
      </Space>
      <Modal
        open={!!ask}
        title={ask ? t(`kb.ask.${ask}`) : ''}
        onCancel={() => setAsk(null)}
        onOk={() => ask && act.mutate(ask)}
        okButtonProps={{ disabled: ask !== 'retire' && !text.trim(), danger: ask === 'retire' }}
        confirmLoading={act.isPending}
        destroyOnHidden
      >
        <Input.TextArea
          autoSize={{ minRows: 3 }}
          value={text}
          onChange={(e) => setText(e.target.value)}
          maxLength={ask === 'return' ? 2000 : 500}
          placeholder={ask ? t(`kb.askPlaceholder.${ask}`) : ''}
          data-testid="kb-ask-text"
        />
      </Modal>
    </>
  );
}

export default function KbItemPage() {
  const { id } = useParams<{ id: string }>();
  const isNew = id === 'new';
  const { t } = useTranslation();
  const fmt = useFormat();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(isNew);
  const q = useQuery({ queryKey: kbKeys.item(id ?? ''), queryFn: () => kbApi.get(id!), enabled: !!id && !isNew });
  useEffect(() => setEditing(isNew), [isNew, id]);
  const back = (
    <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => void navigate('/kb')}>
      {t('kb.back')}
    </Button>
  );
  if (isNew)
    return (
      <div className="chidu-page">
        {back}
        <Editor item={null} onDone={(nid) => void navigate(nid ? `/kb/${nid}` : '/kb')} />
      </div>
    );
  if (q.isPending) return <PageSpinner />;
  if (q.isError)
    return <Result status={q.error instanceof ApiError && q.error.status === 404 ? '404' : 'error'} title={errorMessage(q.error, t)} extra={back} />;
  const item = q.data;
  return (
    <div className="chidu-page" data-testid="kb-item-page">
      <Flex justify="space-between" align="center" gap={8} wrap style={{ marginBottom: 12 }}>
        {back}
        {!editing && item.allowed.edit ? (
          <Button icon={<EditOutlined />} onClick={() => setEditing(true)} data-testid="kb-edit">
            {t('kb.edit')}
          </Button>
        ) : null}
      </Flex>
      {editing ? (
        <Editor item={item} onDone={() => setEditing(false)} />
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={16}>
            <Card size="small">
              <Flex vertical gap={12}>
                <Flex gap={8} align="center" wrap>
                  <KindTag kind={item.kind} />
                  <KbStatusTag status={item.status} />
                  <Tag style={{ marginInlineEnd: 0 }}>{t(`kb.audience.${item.audience}`)}</Tag>
                  <Typography.Text type="secondary">v{item.version}</Typography.Text>
                </Flex>
                <Typography.Title level={3} style={{ margin: 0 }} data-testid="kb-item-title">
                  {item.title}
                </Typography.Title>
                {item.statusReason ? (
                  <Alert
                    type={item.status === 'draft' ? 'info' : 'warning'}
                    showIcon
                    title={item.status === 'draft' ? t('kb.returnedWith', { reason: item.statusReason }) : t('kb.reason', { reason: item.statusReason })}
                  />
                ) : null}
                {item.variants.length ? (
                  <Flex gap={6} wrap>
                    <Typography.Text type="secondary">{t('kb.field.variants')}：</Typography.Text>
                    {item.variants.map((v) => (
                      <Tag key={v}>{v}</Tag>
                    ))}
                  </Flex>
                ) : null}
                {item.kind === 'script' ? (
                  <div className="chidu-kb-script" data-testid="kb-body">
                    {item.body}
                  </div>
                ) : (
                  <div className="chidu-kb-body" data-testid="kb-body" dangerouslySetInnerHTML={{ __html: item.body || `<p>${t('kb.emptyBody')}</p>` }} />
                )}
                <Workflow item={item} />
              </Flex>
            </Card>
          </Col>
          <Col xs={24} lg={8}>
            <Flex vertical gap={16}>
              <Card size="small">
                <Descriptions
                  size="small"
                  column={1}
                  items={[
                    { key: 'c', label: t('kb.field.category'), children: item.categoryPath.join(' / ') },
                    { key: 's', label: t('kb.field.scenario'), children: item.scenario ?? '—' },
                    { key: 't', label: t('kb.field.tags'), children: item.tags.length ? item.tags.map((x) => <Tag key={x}>{x}</Tag>) : '—' },
                    { key: 'o', label: t('kb.field.owner'), children: item.ownerName ?? '—' },
                    { key: 'a', label: t('kb.field.author'), children: item.authorName ?? '—' },
                    { key: 'r', label: t('kb.field.reviewDueOn'), children: item.reviewDueOn ? fmt.date(item.reviewDueOn) : '—' },
                    {
                      key: 'u',
                      label: t('kb.field.usage'),
                      children: t('kb.usageLine', { used: item.usedCount, helpful: item.helpfulCount, notHelpful: item.notHelpfulCount }),
                    },
                  ]}
                />
              </Card>
              {item.reviews?.length ? (
                <Card size="small" title={t('kb.reviewHistory')}>
                  <Timeline
                    items={item.reviews.map((r) => ({
                      color: r.decision === 'approve' ? 'green' : 'orange',
                      content: (
                        <span>
                          {t(`kb.decision.${r.decision}`)} · v{r.version} · {r.reviewerName ?? '—'} · {fmt.dateTime(r.createdAt)}
                          {r.comment ? (
                            <>
                              <br />
                              {r.comment}
                            </>
                          ) : null}
                        </span>
                      ),
                    }))}
                  />
                </Card>
              ) : null}
              <Versions item={item} />
            </Flex>
          </Col>
        </Row>
      )}
      {!item && <Empty />}
    </div>
  );
}
