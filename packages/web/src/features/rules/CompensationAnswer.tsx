import { useState } from 'react';
import { Button, Flex, Form, Modal, Radio, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Compensation } from '../../api/types';
import { useTicketMutation } from '../tickets/TicketActions';
import { ACCEPTANCE_CHANNELS, rulesApi } from './api';

const COLOURS: Record<string, string> = { offered: 'gold', accepted: 'green', refused: 'default' };

/**
 * The customer's answer to a compensation granted (seed 001: only an accepted one counts as granted): a tag, and on
 * an offered one the buttons to record 客户接受 / 客户拒绝 with the channel the customer answered by.
 */
export function CompensationAnswer({ ticketId, c, canAnswer }: { ticketId: string; c: Compensation; canAnswer: boolean }) {
  const { t } = useTranslation();
  const [decision, setDecision] = useState<'accepted' | 'refused' | null>(null);
  const [channel, setChannel] = useState<(typeof ACCEPTANCE_CHANNELS)[number]>('phone');
  const save = useTicketMutation(
    ticketId,
    (d: 'accepted' | 'refused') => rulesApi.answer(ticketId, { compensationId: c.id, decision: d, channel }),
    (r) => t(r.acceptance === 'accepted' ? 'stdRules.comp.acceptedSaved' : 'stdRules.comp.refusedSaved'),
  );
  if (!c.acceptance) return null;
  return (
    <Flex gap={6} wrap align="center" data-testid="compensation-acceptance" data-state={c.acceptance}>
      <Tag color={COLOURS[c.acceptance]}>{t(`stdRules.comp.states.${c.acceptance}`)}</Tag>
      {c.acceptance === 'offered' && canAnswer ? (
        <>
          <Button size="small" type="link" onClick={() => setDecision('accepted')} data-testid="compensation-accepted">
            {t('stdRules.comp.accept')}
          </Button>
          <Button size="small" type="link" danger onClick={() => setDecision('refused')} data-testid="compensation-refused">
            {t('stdRules.comp.refuse')}
          </Button>
        </>
      ) : null}
      <Modal
        open={decision !== null}
        title={t(decision === 'refused' ? 'stdRules.comp.refuseTitle' : 'stdRules.comp.acceptTitle')}
        onCancel={() => setDecision(null)}
        okText={t('common.save')}
        confirmLoading={save.isPending}
        okButtonProps={{ 'data-testid': 'compensation-answer-ok' }}
        onOk={() => save.mutate(decision!, { onSuccess: () => setDecision(null) })}
        destroyOnHidden
      >
        <Form layout="vertical">
          <Form.Item label={t('stdRules.comp.channel')}>
            <Radio.Group
              optionType="button"
              value={channel}
              onChange={(e) => setChannel(e.target.value as typeof channel)}
              options={ACCEPTANCE_CHANNELS.map((k) => ({ value: k, label: t(`stdRules.comp.channels.${k}`) }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  );
}
