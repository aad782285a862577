import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { App, Button, Progress, Spin } from 'antd';
import { CameraOutlined, CheckCircleFilled, CloseOutlined, PictureOutlined, RedoOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { MAX_UPLOAD_BYTES, uploadAttachment, type Attachment, type UploadHandle } from '../api';
import { portalErrorMessage } from '../errors';
import { shrinkPhoto } from '../photo';

export const MAX_PHOTOS = 6;

export interface PhotoItem {
  key: string;
  file: File;
  /** object URL of the local file, for an instant preview */
  preview: string;
  progress: number;
  /** preparing: being made smaller on the phone; processing: sent, the server makes the thumbnail */
  status: 'preparing' | 'uploading' | 'processing' | 'done' | 'error';
  attachment?: Attachment;
  /** short reason shown on the tile */
  error?: string;
  retriable?: boolean;
}

let seq = 0;
const nextKey = () => `photo-${Date.now().toString(36)}-${(seq++).toString(36)}`;

/** Photos are uploaded to POST /attachments as soon as they are picked; the form sends their ids. */
export function usePhotoUploads(max = MAX_PHOTOS) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [items, setItems] = useState<PhotoItem[]>([]);
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const handles = useRef(new Map<string, UploadHandle>());

  const update = useCallback((key: string, patch: Partial<PhotoItem>) => {
    setItems((prev) => prev.map((it) => (it.key === key ? { ...it, ...patch } : it)));
  }, []);

  const start = useCallback(
    async (key: string, original: File) => {
      const file = await shrinkPhoto(original);
      // removed while it was being prepared
      if (!itemsRef.current.some((it) => it.key === key)) return;
      if (file.size > MAX_UPLOAD_BYTES) {
        update(key, { status: 'error', error: t('photos.tooLarge') });
        return;
      }
      update(key, { status: 'uploading', progress: 0 });
      const handle = uploadAttachment(file, (pct) => update(key, { progress: pct, status: pct >= 100 ? 'processing' : 'uploading' }));
      handles.current.set(key, handle);
      handle.promise.then(
        (attachment) => update(key, { status: 'done', progress: 100, attachment }),
        (err: unknown) => {
          if (err instanceof DOMException && err.name === 'AbortError') return;
          const text = portalErrorMessage(err, t);
          void message.error(text);
          update(key, { status: 'error', error: t('photos.failed'), retriable: true });
        },
      );
      void handle.promise.finally(() => handles.current.delete(key)).catch(() => undefined);
    },
    [message, t, update],
  );

  const add = useCallback(
    (files: FileList | File[] | null) => {
      if (!files) return;
      const picked = Array.from(files);
      const room = max - itemsRef.current.length;
      if (picked.length > room) void message.warning(t('photos.tooMany', { max: String(max) }));
      const accepted = picked.slice(0, Math.max(0, room));
      const fresh: PhotoItem[] = accepted.map((file) => {
        const key = nextKey();
        const isImage = !file.type || file.type.startsWith('image/');
        const preview = isImage ? URL.createObjectURL(file) : '';
        if (!isImage) return { key, file, preview, progress: 0, status: 'error', error: t('photos.notImage') };
        return { key, file, preview, progress: 0, status: 'preparing' };
      });
      if (fresh.some((f) => f.status === 'error')) void message.error(t('photos.rejected'));
      itemsRef.current = [...itemsRef.current, ...fresh];
      setItems((prev) => [...prev, ...fresh]);
      for (const item of fresh) if (item.status === 'preparing') void start(item.key, item.file);
    },
    [max, message, start, t],
  );

  const remove = useCallback((key: string) => {
    handles.current.get(key)?.abort();
    const item = itemsRef.current.find((it) => it.key === key);
    if (item?.preview) URL.revokeObjectURL(item.preview);
    setItems((prev) => prev.filter((it) => it.key !== key));
  }, []);

  const retry = useCallback(
    (key: string) => {
      const item = itemsRef.current.find((it) => it.key === key);
      if (!item) return;
      update(key, { status: 'preparing', progress: 0, error: undefined });
      void start(key, item.file);
    },
    [start, update],
  );

  const reset = useCallback(() => {
    for (const h of handles.current.values()) h.abort();
    for (const it of itemsRef.current) if (it.preview) URL.revokeObjectURL(it.preview);
    setItems([]);
  }, []);

  useEffect(
    () => () => {
      for (const h of handles.current.values()) h.abort();
      for (const it of itemsRef.current) if (it.preview) URL.revokeObjectURL(it.preview);
    },
    [],
  );

  const ids = useMemo(() => items.filter((i) => i.status === 'done' && i.attachment).map((i) => i.attachment!.id), [items]);
  const busy = items.some((i) => i.status === 'preparing' || i.status === 'uploading' || i.status === 'processing');
  const failed = items.some((i) => i.status === 'error');
  return { items, add, remove, retry, reset, ids, busy, failed, max };
}

export type PhotoUploads = ReturnType<typeof usePhotoUploads>;

function PhotoTile({ item, index, onRemove, onRetry }: { item: PhotoItem; index: number; onRemove: () => void; onRetry: () => void }) {
  const { t } = useTranslation();
  const [broken, setBroken] = useState(false);
  return (
    <div className={`pt-photo pt-photo--${item.status}`} data-testid="photo-tile" data-status={item.status}>
      {item.preview && !broken ? (
        <img src={item.preview} alt={t('photos.alt', { n: String(index + 1) })} onError={() => setBroken(true)} />
      ) : (
        <PictureOutlined className="pt-photo-placeholder" aria-label={t('photos.alt', { n: String(index + 1) })} />
      )}
      {item.status === 'uploading' ? (
        <div className="pt-photo-overlay">
          <Progress
            type="circle"
            percent={item.progress}
            size={46}
            strokeColor="#fff"
            railColor="rgba(255,255,255,0.35)"
            format={(p) => <span className="pt-photo-pct">{p}%</span>}
          />
        </div>
      ) : item.status === 'processing' || item.status === 'preparing' ? (
        <div className="pt-photo-overlay">
          <Spin />
          <span className="pt-photo-note">{t('photos.processing')}</span>
        </div>
      ) : item.status === 'error' ? (
        <div className="pt-photo-overlay pt-photo-overlay--error">
          <span className="pt-photo-note">{item.error}</span>
          {item.retriable ? (
            <button type="button" className="pt-photo-retry" onClick={onRetry}>
              <RedoOutlined /> {t('photos.retry')}
            </button>
          ) : null}
        </div>
      ) : (
        <CheckCircleFilled className="pt-photo-done" aria-label={t('photos.uploaded')} />
      )}
      <button type="button" className="pt-photo-remove" onClick={onRemove} aria-label={t('photos.remove', { n: String(index + 1) })} data-testid="photo-remove">
        <CloseOutlined />
      </button>
    </div>
  );
}

/** Up to `max` photos from the camera (or the album), each with its own progress, preview and remove button. */
export function PhotoPicker({ state, testIdPrefix = 'photo' }: { state: PhotoUploads; testIdPrefix?: string }) {
  const { t } = useTranslation();
  const camera = useRef<HTMLInputElement>(null);
  const album = useRef<HTMLInputElement>(null);
  const full = state.items.length >= state.max;
  return (
    <div className="pt-photo-picker">
      <div className="pt-photos">
        {state.items.map((item, i) => (
          <PhotoTile key={item.key} item={item} index={i} onRemove={() => state.remove(item.key)} onRetry={() => state.retry(item.key)} />
        ))}
        {!full ? (
          <button type="button" className="pt-photo-add" onClick={() => camera.current?.click()} data-testid={`${testIdPrefix}-add`}>
            <CameraOutlined className="pt-photo-add-icon" />
            <span>{t('photos.take')}</span>
            <span className="pt-photo-count">
              {state.items.length}/{state.max}
            </span>
          </button>
        ) : null}
      </div>
      <div className="pt-photo-foot">
        <span className="pt-muted">{full ? t('photos.full', { max: String(state.max) }) : t('photos.hint', { max: String(state.max) })}</span>
        {!full ? (
          <Button type="link" size="small" icon={<PictureOutlined />} onClick={() => album.current?.click()} className="pt-album">
            {t('photos.album')}
          </Button>
        ) : null}
      </div>
      <input
        ref={camera}
        type="file"
        accept="image/*"
        capture="environment"
        multiple
        className="pt-file-input"
        onChange={(e) => {
          state.add(e.target.files);
          e.target.value = '';
        }}
        data-testid={`${testIdPrefix}-input`}
      />
      <input
        ref={album}
        type="file"
        accept="image/*"
        multiple
        className="pt-file-input"
        onChange={(e) => {
          state.add(e.target.files);
          e.target.value = '';
        }}
        data-testid={`${testIdPrefix}-album-input`}
      />
    </div>
  );
}
