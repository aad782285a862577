import { useState } from 'react';
import { App, Button, Card, Empty, Flex, Form, Input, InputNumber, Modal, Spin, Tree, TreeSelect, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { categoriesApi } from '../../api/endpoints';
import { errorMessage } from '../../lib/apiErrors';
import { useApiError } from '../../lib/useApiError';
import { Page } from '../../layout/Page';
import { useCategoryTree, type CategoryNode } from '../tickets/queries';

interface TreeItem {
  key: string;
  title: React.ReactNode;
  children?: TreeItem[];
}

/** 工单分类 (admin): the category tree; add a root or a child anywhere. */
export default function CategoriesPage() {
  const { t } = useTranslation();
  const categories = useCategoryTree();
  const [adding, setAdding] = useState<{ parentId: string | null } | null>(null);

  const render = (nodes: CategoryNode[]): TreeItem[] =>
    nodes.map((n) => ({
      key: n.value,
      title: (
        <span className="chidu-tree-node">
          <span>{n.title}</span>
          <Button
            size="small"
            type="link"
            icon={<PlusOutlined />}
            onClick={(e) => {
              e.stopPropagation();
              setAdding({ parentId: n.value });
            }}
            className="chidu-tree-add"
          >
            {t('categories.addChild')}
          </Button>
        </span>
      ),
      ...(n.children ? { children: render(n.children) } : {}),
    }));

  return (
    <Page
      title={t('categories.title')}
      subtitle={t('categories.subtitle')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding({ parentId: null })} data-testid="category-create">
          {t('categories.addRoot')}
        </Button>
      }
    >
      <Card>
        {categories.isPending ? (
          <Flex justify="center" style={{ padding: 32 }}>
            <Spin />
          </Flex>
        ) : categories.isError ? (
          <Typography.Text type="danger">{errorMessage(categories.error, t)}</Typography.Text>
        ) : categories.tree.length === 0 ? (
          <Empty description={t('categories.empty')} />
        ) : (
          <Tree
            showLine={{ showLeafIcon: false }}
            defaultExpandAll
            blockNode
            selectable={false}
            treeData={render(categories.tree)}
            data-testid="category-tree"
          />
        )}
      </Card>
      <AddCategoryModal value={adding} onClose={() => setAdding(null)} />
    </Page>
  );
}

function AddCategoryModal({ value, onClose }: { value: { parentId: string | null } | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const showError = useApiError();
  const queryClient = useQueryClient();
  const categories = useCategoryTree();
  const [form] = Form.useForm<{ name: string; parentId?: string; position?: number }>();
  const create = useMutation({
    mutationFn: (v: { name: string; parentId?: string; position?: number }) =>
      categoriesApi.create({
        name: v.name.trim(),
        parentId: v.parentId ?? null,
        ...(v.position !== undefined && v.position !== null ? { position: v.position } : {}),
      }),
    onSuccess: (c) => {
      void message.success(t('categories.created', { name: c.name }));
      void queryClient.invalidateQueries({ queryKey: ['categories'] });
      onClose();
    },
    onError: (err) => showError(err, { form, fields: ['name', 'parentId', 'position'] }),
  });
  return (
    <Modal
      open={value !== null}
      title={t('categories.addTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={create.isPending}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" preserve={false} initialValues={{ parentId: value?.parentId ?? undefined }} onFinish={(v) => create.mutate(v)}>
        <Form.Item name="parentId" label={t('categories.parent')}>
          <TreeSelect treeData={categories.tree} allowClear treeDefaultExpandAll placeholder={t('categories.root')} />
        </Form.Item>
        <Form.Item name="name" label={t('categories.name')} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
          <Input maxLength={64} autoFocus placeholder={t('categories.namePlaceholder')} data-testid="category-name" />
        </Form.Item>
        <Form.Item name="position" label={t('categories.position')} extra={t('categories.positionHint')}>
          <InputNumber min={0} max={10_000} precision={0} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
