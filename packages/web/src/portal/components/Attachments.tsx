import { Image } from 'antd';
import { FileOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { portalApi, type Attachment } from '../api';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Photos as square thumbnails (tap to see the original), other files as download links. */
export function AttachmentGrid({ items }: { items: Attachment[] }) {
  const { t } = useTranslation();
  if (items.length === 0) return null;
  const photos = items.filter((a) => a.hasThumbnail);
  const files = items.filter((a) => !a.hasThumbnail);
  return (
    <div className="pt-attachments">
      {photos.length ? (
        <Image.PreviewGroup>
          <div className="pt-thumbs">
            {photos.map((a, i) => (
              <Image
                key={a.id}
                src={portalApi.thumbnailUrl(a.id)}
                alt={t('photos.alt', { n: String(i + 1) })}
                preview={{ src: portalApi.fileUrl(a.id) }}
                rootClassName="pt-thumb"
                data-testid="attachment-thumb"
              />
            ))}
          </div>
        </Image.PreviewGroup>
      ) : null}
      {files.map((a) => (
        <a key={a.id} href={portalApi.fileUrl(a.id)} download={a.filename} className="pt-file">
          <FileOutlined /> <span className="pt-file-name">{a.filename}</span> <span className="pt-muted">{formatBytes(a.size)}</span>
        </a>
      ))}
    </div>
  );
}
