import { useState } from 'react';
import { Alert, Button, Card, Flex, Input, Radio, Space, Tag, Typography } from 'antd';
import { CheckCircleOutlined, MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { OPEN_STATUSES, type TicketDetail } from '../../api/types';
import { useFormat } from '../auth/me';
import { useTicketMutation } from '../tickets/TicketActions';
import { processApi, processKeys } from './api';

/**
 * 解决方案选项 (seed 001): on a complaint, the 2–3 solutions offered to the customer and the one they chose. The
 * complaint is not resolved before both (the server refuses with complaint_options_missing).
 */
export function SolutionOptionsPanel({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const q = useQuery({ queryKey: processKeys.solution(ticket.id), queryFn: () => processApi.solutionOptions(ticket.id) });
  const [editing, setEditing] = useState(false);
  const [options, setOptions] = useState<string[]>(['', '']);
  const [chosen, setChosen] = useState<number | undefined>(undefined);
  const open = OPEN_STATUSES.includes(ticket.status) && ticket.allowed.reply;
  const offer = q.data?.offer ?? null;

  const save = useTicketMutation(
    ticket.id,
    () => processApi.offerSolutions(ticket.id, { options: options.map((o) => o.trim()), ...(chosen !== undefined ? { chosen } : {}) }),
    () => t('process.solution.saved'),
  );
  const choose = useTicketMutation(
    ticket.id,
    (i: number) => processApi.chooseSolution(ticket.id, i),
    () => t('process.solution.chosenSaved'),
  );
  const filled = options.filter((o) => o.trim()).length === options.length;

  const startEdit = () => {
    setOptions(offer ? [...offer.options] : ['', '']);
    setChosen(offer?.chosen ?? undefined);
    setEditing(true);
  };

  return (
    <Card
      size="small"
      data-testid="solution-options"
      title={
        <Flex gap={8} align="center" wrap>
          {t('process.solution.title')}
          {q.data?.complete ? (
            <Tag color="green" icon={<CheckCircleOutlined />}>
              {t('process.solution.complete')}
            </Tag>
          ) : (
            <Tag color="orange">{offer ? t('process.solution.awaitingChoice') : t('process.solution.notOffered')}</Tag>
          )}
        </Flex>
      }
      extra={
        open && !editing ? (
          <Button size="small" onClick={startEdit} data-testid="solution-edit">
            {offer ? t('process.solution.reoffer') : t('process.solution.offer')}
          </Button>
        ) : null
      }
    >
      {editing ? (
        <Flex vertical gap={8}>
          <Typography.Text type="secondary">{t('process.solution.hint')}</Typography.Text>
          <Radio.Group value={chosen} onChange={(e) => setChosen(e.target.value as number)} style={{ width: '100%' }}>
            <Space direction="vertical" style={{ width: '100%' }}>
              {options.map((o, i) => (
                <Flex key={i} gap={8} align="center">
                  <Radio value={i} aria-label={t('process.solution.customerChoseThis')} />
                  <Input
                    value={o}
                    maxLength={200}
                    placeholder={t('process.solution.optionPlaceholder', { n: i + 1 })}
                    onChange={(e) => setOptions(options.map((x, j) => (j === i ? e.target.value : x)))}
                    data-testid={`solution-option-${i}`}
                  />
                  {options.length > 2 ? (
                    <Button
                      type="text"
                      icon={<MinusCircleOutlined />}
                      aria-label={t('process.solution.remove')}
                      onClick={() => {
                        setOptions(options.filter((_, j) => j !== i));
                        setChosen(undefined);
                      }}
                    />
                  ) : null}
                </Flex>
              ))}
            </Space>
          </Radio.Group>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('process.solution.choiceHint')}
          </Typography.Text>
          <Flex gap={8} wrap>
            {options.length < 3 ? (
              <Button icon={<PlusOutlined />} onClick={() => setOptions([...options, ''])} data-testid="solution-add">
                {t('process.solution.add')}
              </Button>
            ) : null}
            <Button onClick={() => setEditing(false)}>{t('common.cancel')}</Button>
            <Button
              type="primary"
              disabled={!filled}
              loading={save.isPending}
              onClick={() => save.mutate(undefined, { onSuccess: () => setEditing(false) })}
              data-testid="solution-save"
            >
              {t('process.solution.save')}
            </Button>
          </Flex>
        </Flex>
      ) : offer ? (
        <Flex vertical gap={6}>
          {offer.options.map((o, i) => (
            <Flex key={i} gap={8} align="center" justify="space-between" wrap data-testid={`solution-row-${i}`}>
              <Typography.Text strong={offer.chosen === i}>
                {i + 1}. {o}
              </Typography.Text>
              {offer.chosen === i ? (
                <Tag color="green">{t('process.solution.chosenTag')}</Tag>
              ) : open ? (
                <Button size="small" loading={choose.isPending} onClick={() => choose.mutate(i)} data-testid={`solution-choose-${i}`}>
                  {t('process.solution.choose')}
                </Button>
              ) : null}
            </Flex>
          ))}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('process.solution.offeredBy', { name: offer.offeredByName ?? '—', time: fmt.dateTime(offer.offeredAt) })}
            {offer.chosenAt ? ` · ${t('process.solution.chosenBy', { name: offer.chosenByName ?? '—', time: fmt.dateTime(offer.chosenAt) })}` : ''}
          </Typography.Text>
        </Flex>
      ) : (
        <Alert type="info" showIcon message={t('process.solution.empty')} />
      )}
    </Card>
  );
}
