import type { App } from 'antd';
import { Space, Typography } from 'antd';

type Modal = ReturnType<typeof App.useApp>['modal'];

/**
 * After creating a channel that the provider calls back (WeChat callback URL, SMS receipt URL): the URL to paste into
 * the provider's console, shown once in a dialog with a copy button.
 */
export function showCreatedUrl(modal: Modal, o: { title: string; hint: string; url: string; testId: string; width: number }) {
  modal.success({
    title: o.title,
    width: o.width,
    content: (
      <Space direction="vertical">
        <Typography.Text>{o.hint}</Typography.Text>
        <Typography.Text copyable code data-testid={o.testId}>
          {o.url}
        </Typography.Text>
      </Space>
    ),
  });
}
