import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { KbKind, KbStatus } from './api';

const KIND_COLOR: Record<KbKind, string> = { article: 'blue', faq: 'cyan', script: 'purple', procedure: 'red', case: 'gold' };
const STATUS_COLOR: Record<KbStatus, string> = { draft: 'default', in_review: 'processing', published: 'success', needs_update: 'warning', retired: 'default' };

export function KindTag({ kind }: { kind: KbKind }) {
  const { t } = useTranslation();
  return (
    <Tag color={KIND_COLOR[kind]} style={{ marginInlineEnd: 0 }}>
      {t(`kb.kind.${kind}`)}
    </Tag>
  );
}
export function KbStatusTag({ status }: { status: KbStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={STATUS_COLOR[status]} style={{ marginInlineEnd: 0 }} data-testid="kb-status">
      {t(`kb.status.${status}`)}
    </Tag>
  );
}
/** Server snippets are HTML-escaped text with <mark> around matches only. */
export function Snippet({ html }: { html: string }) {
  return <span className="chidu-kb-snippet" dangerouslySetInnerHTML={{ __html: html }} />;
}
