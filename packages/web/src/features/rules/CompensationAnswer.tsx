import { useState } from 'react';
import { Button, Flex, Form, Modal, Radio, Tag } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { Compensation } from '../../api/types';
import { useTicketMutation } from '../tickets/TicketActions';
import { ACCEPTANCE_CHANNELS, rulesApi } from './api';

const COLOURS: Record<string, string> = { offered: 'gold', accepted: 'green', refused: 'default' };
type Decision = 'accepted' | 'refused';

/**
 * The customer's answer to a compensation granted (seed 001: only an accepted one counts as granted): a tag, and on
 * an offered one 记录答复 — 客户接受 / 客户拒绝 with the channel the customer answered by.
 */
export function CompensationAnswer({ ticketId, c, canAnswer }: { ticketId: string; c: Compensation; canAnswer: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [decision, setDecision] = useState<Decision>('accepted');
  const [channel, setChannel] = useState<(typeof ACCEPTANCE_CHANNELS)[number]>('phone');
  const save = useTicketMutation(
    ticketId,
    () => rulesApi.answer(ticketId, { compensationId: c.id, decision, channel }),
    (r) => t(r.acceptance === 'accepted' ? 'stdRules.comp.acceptedSaved' : 'stdRules.comp.refusedSaved'),
  );
  if (!c.acceptance) return null;
  return (
    <Flex vertical gap={2} align="flex-start" data-testid="compensation-acceptance" data-state={c.acceptance}>
      <Tag color={COLOURS[c.acceptance]}>{t(`stdRules.comp.states.${c.acceptance}`)}</Tag>
      {c.acceptance === 'offered' && canAnswer ? (
        <Button size="small" type="link" style={{ padding: 0 }} onClick={() => setOpen(true)} data-testid="compensation-answer">
          {t('stdRules.comp.record')}
        </Button>
      ) : null}
      <Modal
        open={open}
        title={t('stdRules.comp.recordTitle')}
        onCancel={() => setOpen(false)}
        okText={t('common.save')}
        confirmLoading={save.isPending}
        okButtonProps={{ 'data-testid': 'compensation-answer-ok' }}
        onOk={() =>
          save.mutate(undefined, {
            onSuccess: () => {
              setOpen(false);
              // the customer's total counts accepted compensations: refresh the customer panel
              void queryClient.invalidateQueries({ queryKey: ['customers', '360'] });
            },
          })
        }
        destroyOnHidden
      >
        <Form layout="vertical">
          <Form.Item label={t('stdRules.comp.decision')}>
            <Radio.Group
              optionType="button"
              value={decision}
              onChange={(e) => setDecision(e.target.value as Decision)}
              options={[
                { value: 'accepted', label: t('stdRules.comp.accept') },
                { value: 'refused', label: t('stdRules.comp.refuse') },
              ]}
            />
          </Form.Item>
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
