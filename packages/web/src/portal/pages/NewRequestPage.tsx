import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { App, Button, Form, Input } from 'antd';
import { BulbOutlined, CommentOutlined, FrownOutlined, ToolOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError, newIdempotencyKey } from '../../api/client';
import { PORTAL_TYPES, portalApi, type PortalType, type TicketSubmit } from '../api';
import { PhotoPicker, usePhotoUploads } from '../components/PhotoPicker';
import { PageTitle } from '../components/ui';
import { portalErrorMessage } from '../errors';
import { TICKETS_KEY } from '../keys';

interface Values {
  type: PortalType;
  subject: string;
  description?: string;
  site?: string;
}

const TYPE_ICON: Record<PortalType, ReactNode> = {
  repair: <ToolOutlined />,
  inquiry: <CommentOutlined />,
  complaint: <FrownOutlined />,
  suggestion: <BulbOutlined />,
};

/** Per type: page title, type tile label, subject placeholder, description placeholder, submit button. */
const COPY: Record<PortalType, { title: string; tile: string; subject: string; description: string; submit: string }> = {
  repair: {
    title: 'submit.titleRepair',
    tile: 'type.repair',
    subject: 'submit.subjectRepair',
    description: 'submit.descriptionRepair',
    submit: 'submit.submitRepair',
  },
  inquiry: {
    title: 'submit.titleInquiry',
    tile: 'type.inquiry',
    subject: 'submit.subjectInquiry',
    description: 'submit.descriptionInquiry',
    submit: 'submit.submitInquiry',
  },
  complaint: {
    title: 'submit.titleComplaint',
    tile: 'type.complaint',
    subject: 'submit.subjectComplaint',
    description: 'submit.descriptionComplaint',
    submit: 'submit.submitComplaint',
  },
  suggestion: {
    title: 'submit.titleSuggestion',
    tile: 'type.suggestion',
    subject: 'submit.subjectSuggestion',
    description: 'submit.descriptionSuggestion',
    submit: 'submit.submitSuggestion',
  },
};

const INVALID: Record<'subject' | 'description' | 'site', string> = {
  subject: 'submit.invalid.subject',
  description: 'submit.invalid.description',
  site: 'submit.invalid.site',
};

function isPortalType(v: string | null): v is PortalType {
  return v !== null && (PORTAL_TYPES as readonly string[]).includes(v);
}

function TypePicker({ value, onChange }: { value?: PortalType; onChange?: (v: PortalType) => void }) {
  const { t } = useTranslation();
  return (
    <div className="pt-type-picker" role="radiogroup" aria-label={t('submit.type')}>
      {PORTAL_TYPES.map((type) => (
        <button
          key={type}
          type="button"
          role="radio"
          aria-checked={value === type}
          className={`pt-type-option pt-type-option--${type}${value === type ? ' is-active' : ''}`}
          onClick={() => onChange?.(type)}
          data-testid={`type-${type}`}
        >
          <span className="pt-type-option-icon" aria-hidden>
            {TYPE_ICON[type]}
          </span>
          <span>{t(COPY[type].tile)}</span>
        </button>
      ))}
    </div>
  );
}

export default function NewRequestPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const initialType: PortalType = isPortalType(params.get('type')) ? (params.get('type') as PortalType) : 'repair';
  const [form] = Form.useForm<Values>();
  const type: PortalType = Form.useWatch('type', form) ?? initialType;
  const photos = usePhotoUploads();
  // one key per distinct request: a double tap or a retry after a lost answer creates one request only
  const attempt = useRef<{ key: string; payload: string } | null>(null);

  const submit = useMutation({
    mutationFn: (body: TicketSubmit) => {
      const payload = JSON.stringify(body);
      if (!attempt.current || attempt.current.payload !== payload) attempt.current = { key: newIdempotencyKey(), payload };
      return portalApi.submit(body, attempt.current.key);
    },
    onSuccess: (res) => {
      void queryClient.invalidateQueries({ queryKey: TICKETS_KEY });
      void navigate(`/submitted/${res.id}`, { replace: true, state: { number: res.number } });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'validation_failed') {
        const fields = ['subject', 'description', 'site'] as const;
        const hits = err.errors.map(
          (e) =>
            String(Array.isArray(e.path) ? e.path[0] : e.path)
              .replace(/^\/?(body[./])?/, '')
              .split(/[./]/)[0],
        );
        const mapped = fields.filter((f) => hits.includes(f));
        if (mapped.length) {
          form.setFields(mapped.map((name) => ({ name, errors: [t(INVALID[name])] })));
          return;
        }
      }
      void message.error(portalErrorMessage(err, t));
    },
  });

  const onFinish = (values: Values) => {
    if (photos.busy) {
      void message.info(t('submit.waitPhotos'));
      return;
    }
    if (photos.failed) {
      void message.warning(t('submit.fixPhotos'));
      return;
    }
    const body: TicketSubmit = {
      type: values.type,
      subject: values.subject.trim(),
      description: (values.description ?? '').trim(),
      ...(values.site?.trim() ? { site: values.site.trim() } : {}),
      ...(photos.ids.length ? { attachmentIds: photos.ids } : {}),
    };
    submit.mutate(body);
  };

  // Enter on the phone keyboard must not send a half-filled form (implicit submission): go to the next field
  const nextField = (name: keyof Values) => (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter' || e.nativeEvent.isComposing) return;
    e.preventDefault();
    if (name === 'site') (e.target as HTMLInputElement).blur();
    else form.focusField(name);
  };

  const copy = COPY[type];
  return (
    <div className="pt-new">
      <PageTitle title={t(copy.title)} />
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ type: initialType, description: params.get('text')?.slice(0, 1000) || undefined }}
        onFinish={onFinish}
        onFinishFailed={({ errorFields }) => {
          const first = errorFields[0]?.name;
          if (first) form.scrollToField(first, { block: 'center', behavior: 'smooth' });
        }}
        className="pt-card pt-form"
        data-testid="new-request-form"
      >
        <Form.Item name="type" label={t('submit.type')}>
          <TypePicker />
        </Form.Item>
        <Form.Item name="subject" label={t('submit.subject')} rules={[{ required: true, whitespace: true, message: t('submit.subjectRequired') }]}>
          <Input
            size="large"
            maxLength={50}
            showCount
            placeholder={t(copy.subject)}
            enterKeyHint="next"
            onKeyDown={nextField('description')}
            data-testid="subject"
          />
        </Form.Item>
        <Form.Item name="description" label={t('submit.description')}>
          <Input.TextArea autoSize={{ minRows: 4, maxRows: 10 }} maxLength={1000} showCount placeholder={t(copy.description)} data-testid="description" />
        </Form.Item>
        <Form.Item name="site" label={t('submit.site')}>
          <Input
            size="large"
            maxLength={64}
            placeholder={t('submit.sitePlaceholder')}
            autoComplete="street-address"
            enterKeyHint="done"
            onKeyDown={nextField('site')}
            data-testid="site"
          />
        </Form.Item>
        <Form.Item label={type === 'repair' ? t('submit.photosRepair') : t('submit.photos')}>
          <PhotoPicker state={photos} />
        </Form.Item>
        <Button
          type="primary"
          size="large"
          block
          htmlType="submit"
          loading={submit.isPending}
          disabled={photos.busy}
          className="pt-submit"
          data-testid="submit"
        >
          {photos.busy ? t('submit.uploading') : t(copy.submit)}
        </Button>
        <p className="pt-fineprint">{t('submit.privacy')}</p>
      </Form>
    </div>
  );
}
