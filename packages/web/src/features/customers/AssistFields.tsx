/**
 * 需一对一帮办 (issue #13 item 7, seed 000): customers needing one-to-one help (elderly, disabled, other with a note) and
 * their designated staff member (专人), who owns their new tickets while active. The tag shows on the customer and
 * ticket pages; the form items sit in the customer edit drawer.
 */
import { Flex, Form, Input, Select, Tag } from 'antd';
import { UserSwitchOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ColleagueSelect } from '../tickets/ColleagueSelect';

export const ASSIST_KINDS = ['none', 'elderly', 'disabled', 'other'] as const;
export type AssistKind = (typeof ASSIST_KINDS)[number];
export const ASSIST_FIELDS = ['assistance', 'assistanceNote', 'assistStaffId'] as const;

/** 一对一帮办 · 专人 name (icon and text, never colour alone). */
export function AssistTag({ kind, helperName, note }: { kind: string; helperName: string | null | undefined; note?: string | null }) {
  const { t } = useTranslation();
  if (kind === 'none') return null;
  return (
    <Tag color="purple" icon={<UserSwitchOutlined />} data-testid="assist-tag" title={[t(`assist.kinds.${kind}`), note].filter(Boolean).join(' · ')}>
      {helperName ? t('assist.tagWith', { name: helperName }) : t('assist.tag')}
    </Tag>
  );
}

export interface AssistValues {
  assistance?: AssistKind;
  assistanceNote?: string;
  assistStaffId?: string;
}

/** The three form items: why (none / elderly / disabled / other), a note, and the designated staff member. */
export function AssistFormItems() {
  const { t } = useTranslation();
  const kind = Form.useWatch<AssistKind | undefined>('assistance');
  const on = kind !== undefined && kind !== 'none';
  return (
    <Flex gap={12} wrap>
      <Form.Item name="assistance" label={t('assist.label')} style={{ flex: '1 1 160px' }}>
        <Select<AssistKind> options={ASSIST_KINDS.map((k) => ({ value: k, label: t(`assist.kinds.${k}`) }))} data-testid="customer-assistance" />
      </Form.Item>
      {on ? (
        <Form.Item name="assistStaffId" label={t('assist.helper')} style={{ flex: '1 1 200px' }} extra={t('assist.helperHint')}>
          <ColleagueSelect placeholder={t('assist.helperPlaceholder')} data-testid="customer-assist-staff" />
        </Form.Item>
      ) : null}
      {on ? (
        <Form.Item name="assistanceNote" label={t('assist.note')} style={{ flex: '1 1 100%' }}>
          <Input maxLength={500} placeholder={t('assist.notePlaceholder')} />
        </Form.Item>
      ) : null}
    </Flex>
  );
}

/** The patch part: none clears the note and the helper. */
export function assistBody(v: AssistValues) {
  const kind = v.assistance ?? 'none';
  if (kind === 'none') return { assistance: kind, assistanceNote: null, assistStaffId: null };
  return { assistance: kind, assistanceNote: v.assistanceNote?.trim() || null, assistStaffId: v.assistStaffId ?? null };
}
