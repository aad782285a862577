import { useCallback, useMemo, useState } from 'react';
import { Button, Flex, Image, Tooltip, Typography, Upload, type UploadFile } from 'antd';
import { FileOutlined, PaperClipOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { attachmentsApi } from '../../api/endpoints';
import type { AttachmentMeta } from '../../api/types';
import { errorMessage } from '../../lib/apiErrors';

const MAX_BYTES = 10 * 1024 * 1024;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Upload state for a form: files are sent to POST /attachments as soon as they are picked. */
export function useAttachmentList() {
  const [fileList, setFileList] = useState<UploadFile<AttachmentMeta>[]>([]);
  const ids = useMemo(() => fileList.filter((f) => f.status === 'done' && f.response?.id).map((f) => f.response!.id), [fileList]);
  const uploading = fileList.some((f) => f.status === 'uploading');
  const reset = useCallback(() => setFileList([]), []);
  return { fileList, setFileList, ids, uploading, reset };
}

export type AttachmentListState = ReturnType<typeof useAttachmentList>;

/** Photo / document picker (≤ 10 MB each); shows a thumbnail once the server made one. */
export function AttachmentUpload({ state, compact = false }: { state: AttachmentListState; compact?: boolean }) {
  const { t } = useTranslation();
  return (
    <Upload<AttachmentMeta>
      multiple
      listType="picture"
      fileList={state.fileList}
      onChange={({ fileList }) =>
        state.setFileList(
          fileList.map((f) =>
            f.status === 'done' && f.response?.hasThumbnail && !f.thumbUrl ? { ...f, thumbUrl: attachmentsApi.thumbnailUrl(f.response.id) } : f,
          ),
        )
      }
      beforeUpload={(file) => {
        if (file.size > MAX_BYTES) {
          state.setFileList((list) => [
            ...list,
            { uid: file.uid, name: file.name, status: 'error', response: undefined, error: new Error(t('attachments.tooLarge')) },
          ]);
          return Upload.LIST_IGNORE;
        }
        return true;
      }}
      customRequest={({ file, onSuccess, onError }) => {
        attachmentsApi
          .upload(file as File)
          .then((meta) => onSuccess?.(meta))
          .catch((err: unknown) => {
            const e = new Error(errorMessage(err, t));
            onError?.(e);
          });
      }}
      itemRender={(node, file) => (
        <Tooltip title={file.status === 'error' ? (file.error as Error | undefined)?.message || t('attachments.failed') : undefined}>{node}</Tooltip>
      )}
    >
      <Button icon={<PaperClipOutlined />} size={compact ? 'small' : 'middle'} data-testid="attachment-add">
        {t('attachments.add')}
      </Button>
    </Upload>
  );
}

/** Attachments of a reply / ticket: photo thumbnails (click to preview), other files as download links. */
export function AttachmentList({ items }: { items: AttachmentMeta[] }) {
  const { t } = useTranslation();
  if (items.length === 0) return null;
  const photos = items.filter((a) => a.hasThumbnail);
  const files = items.filter((a) => !a.hasThumbnail);
  return (
    <Flex vertical gap={6} style={{ marginTop: 8 }}>
      {photos.length ? (
        <Image.PreviewGroup>
          <Flex gap={8} wrap>
            {photos.map((a) => (
              <div key={a.id} className="chidu-thumb">
                <Image
                  src={attachmentsApi.thumbnailUrl(a.id)}
                  alt={a.filename}
                  width={96}
                  height={96}
                  style={{ objectFit: 'cover', borderRadius: 6 }}
                  preview={{ src: attachmentsApi.thumbnailUrl(a.id) }}
                />
                <a href={attachmentsApi.url(a.id)} download={a.filename} className="chidu-thumb-name" title={t('attachments.download')}>
                  {a.filename}
                </a>
              </div>
            ))}
          </Flex>
        </Image.PreviewGroup>
      ) : null}
      {files.map((a) => (
        <a key={a.id} href={attachmentsApi.url(a.id)} download={a.filename} className="chidu-file-link">
          <FileOutlined /> <span>{a.filename}</span>{' '}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {formatBytes(a.size)}
          </Typography.Text>
        </a>
      ))}
    </Flex>
  );
}
