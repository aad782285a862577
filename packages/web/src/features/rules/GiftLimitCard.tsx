import { useEffect, useState } from 'react';
import { App, Button, Card, Flex, InputNumber, Typography } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { fenToYuan, yuanToFen } from '../../lib/money';
import { useApiError } from '../../lib/useApiError';
import { useFormat } from '../auth/me';
import { rulesApi, rulesKeys } from './api';

/** 前台礼品限额 (seed 000): the admin sets the most a routine gift the front desk grants without approval may be worth. */
export function GiftLimitCard({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: rulesKeys.giftLimit, queryFn: rulesApi.giftLimit });
  const [yuan, setYuan] = useState<number | null>(null);
  useEffect(() => {
    if (q.data) setYuan(fenToYuan(q.data.limitFen) ?? null);
  }, [q.data]);
  const save = useMutation({
    mutationFn: (fen: number) => rulesApi.putGiftLimit(fen),
    onSuccess: (r) => {
      queryClient.setQueryData(rulesKeys.giftLimit, r);
      void message.success(t('stdRules.gift.saved'));
    },
    onError: (err) => showError(err),
  });
  return (
    <Card title={t('stdRules.gift.title')} size="small" data-testid="gift-limit-card">
      <Flex gap={12} align="center" wrap>
        <Typography.Text type="secondary">{t('stdRules.gift.settingHint')}</Typography.Text>
        {canManage ? (
          <>
            <InputNumber min={0} max={10_000} precision={2} prefix="¥" value={yuan} onChange={(v) => setYuan(v)} style={{ width: 160 }} />
            <Button type="primary" loading={save.isPending} disabled={yuan === null} onClick={() => save.mutate(yuanToFen(yuan ?? 0)!)}>
              {t('common.save')}
            </Button>
          </>
        ) : (
          <Typography.Text strong>{q.data ? fmt.money(q.data.limitFen) : '—'}</Typography.Text>
        )}
      </Flex>
    </Card>
  );
}
