/**
 * 导入入门知识包: the zh-CN starter pack (20 standard scripts, the common solutions per problem type) for a new
 * installation. Shows what the pack holds and what an import would add, then imports as drafts or published.
 */
import { useState } from 'react';
import { App, Button, List, Modal, Radio, Space, Tag, Typography, type ButtonProps } from 'antd';
import { ImportOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { http } from '../../api/client';
import { useApiError } from '../../lib/useApiError';

export default function StarterPackButton() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [publish, setPublish] = useState(false);
  const preview = useQuery({ queryKey: ['kb', 'starter-pack'], queryFn: () => http.get('/kb/starter-pack'), enabled: open });
  const run = useMutation({
    mutationFn: () => http.post('/kb/starter-pack/import', { body: { publish } }),
    onSuccess: (r) => {
      message.success(t('kbStarter.done', { added: r.added, skipped: r.skipped }));
      setOpen(false);
      void qc.invalidateQueries({ queryKey: ['kb'] });
    },
    onError: (e) => showError(e),
  });
  const p = preview.data;
  const okProps: ButtonProps = { disabled: !p || p.toAdd === 0, loading: run.isPending };
  Object.assign(okProps, { 'data-testid': 'kb-starter-import' });
  return (
    <>
      <Button icon={<ImportOutlined />} onClick={() => setOpen(true)} data-testid="kb-starter-open">
        {t('kbStarter.button')}
      </Button>
      <Modal
        open={open}
        title={t('kbStarter.title')}
        onCancel={() => setOpen(false)}
        okText={p && p.toAdd === 0 ? t('kbStarter.nothing') : t('kbStarter.import', { n: p?.toAdd ?? 0 })}
        okButtonProps={okProps}
        onOk={() => run.mutate()}
        width={640}
        loading={preview.isLoading}
      >
        {p ? (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Paragraph>{t('kbStarter.intro', { scripts: p.scripts, solutions: p.solutions, types: p.categories.length - 1 })}</Typography.Paragraph>
            <List
              size="small"
              bordered
              dataSource={p.categories}
              renderItem={(c) => (
                <List.Item>
                  <Space wrap>
                    <Typography.Text strong>{c.name}</Typography.Text>
                    <Tag>{t(c.kind === 'script' ? 'kbStarter.scripts' : 'kbStarter.solutions', { n: c.items })}</Tag>
                    {c.existing > 0 ? <Tag color="default">{t('kbStarter.existing', { n: c.existing })}</Tag> : null}
                  </Space>
                  <Typography.Text type="secondary" ellipsis style={{ maxWidth: 260 }}>
                    {c.titles.slice(0, 3).join('、')}…
                  </Typography.Text>
                </List.Item>
              )}
            />
            <Radio.Group value={publish} onChange={(e) => setPublish(e.target.value as boolean)}>
              <Space direction="vertical">
                <Radio value={false}>{t('kbStarter.asDrafts')}</Radio>
                <Radio value={true}>{t('kbStarter.publish')}</Radio>
              </Space>
            </Radio.Group>
            <Typography.Text type="secondary">{t('kbStarter.note')}</Typography.Text>
          </Space>
        ) : null}
      </Modal>
    </>
  );
}
