import { Form, Input, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** Message kinds a WeChat Official Account may send as a template / subscribe message outside the 48-hour window. */
export const WX_TEMPLATE_KINDS = ['survey_invite', 'visit_reminder', 'ticket_update'] as const;
export type WxTemplateKind = (typeof WX_TEMPLATE_KINDS)[number];
export interface WxTemplate {
  mode: 'template' | 'subscribe';
  templateId: string;
  fields: Record<string, string>;
}
/** The form's shape of one template: the fields as lines `name=text`. */
export interface WxTemplateForm {
  mode?: 'template' | 'subscribe';
  templateId?: string;
  fields?: string;
}

export const fieldsToText = (f: Record<string, string>) =>
  Object.entries(f)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');

/** `first=…\nkeyword1={number}` → {first: …, keyword1: '{number}'}; blank lines and lines without `=` are skipped. */
export function textToFields(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const i = line.indexOf('=');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim();
    if (k) out[k] = line.slice(i + 1).trim();
  }
  return out;
}

/** The templates to save: kinds with a template id and at least one field. */
export function templatesFromForm(v: Partial<Record<WxTemplateKind, WxTemplateForm>> | undefined): Partial<Record<WxTemplateKind, WxTemplate>> {
  const out: Partial<Record<WxTemplateKind, WxTemplate>> = {};
  for (const k of WX_TEMPLATE_KINDS) {
    const f = v?.[k];
    const id = f?.templateId?.trim();
    const fields = textToFields(f?.fields);
    if (id && Object.keys(fields).length) out[k] = { mode: f?.mode ?? 'template', templateId: id, fields };
  }
  return out;
}

export function templatesToForm(t: Partial<Record<string, WxTemplate>> | undefined): Partial<Record<WxTemplateKind, WxTemplateForm>> {
  const out: Partial<Record<WxTemplateKind, WxTemplateForm>> = {};
  for (const k of WX_TEMPLATE_KINDS) {
    const x = t?.[k];
    out[k] = x ? { mode: x.mode, templateId: x.templateId, fields: fieldsToText(x.fields) } : { mode: 'template' };
  }
  return out;
}

/** 模板消息: per kind, 模板消息 or 订阅通知, the template id and the field mapping (one `name=text` a line). */
export function WechatTemplatesFields() {
  const { t } = useTranslation();
  return (
    <>
      <Typography.Paragraph type="secondary">{t('channels.wechat.tpl.hint')}</Typography.Paragraph>
      {WX_TEMPLATE_KINDS.map((k) => (
        <div key={k} data-testid={`wx-tpl-${k}`}>
          <Typography.Text strong>{t(`channels.wechat.tpl.kind.${k}`)}</Typography.Text>
          <Form.Item name={['templates', k, 'mode']} label={t('channels.wechat.tpl.mode')} style={{ marginTop: 8 }}>
            <Select
              options={[
                { value: 'template', label: t('channels.wechat.tpl.modeTemplate') },
                { value: 'subscribe', label: t('channels.wechat.tpl.modeSubscribe') },
              ]}
            />
          </Form.Item>
          <Form.Item name={['templates', k, 'templateId']} label={t('channels.wechat.tpl.templateId')}>
            <Input autoComplete="off" placeholder={t('channels.wechat.tpl.templateIdPlaceholder')} />
          </Form.Item>
          <Form.Item name={['templates', k, 'fields']} label={t('channels.wechat.tpl.fields')} extra={t('channels.wechat.tpl.fieldsHint')}>
            <Input.TextArea rows={3} placeholder={t(`channels.wechat.tpl.example.${k}`)} />
          </Form.Item>
        </div>
      ))}
    </>
  );
}
