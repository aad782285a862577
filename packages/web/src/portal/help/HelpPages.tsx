import { useState } from 'react';
import { App, Button, Input, Result, Skeleton } from 'antd';
import { CustomerServiceOutlined, DislikeOutlined, LeftOutlined, LikeOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, Outlet, useLocation, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { Header } from '../components/Shell';
import { portalErrorMessage } from '../errors';
import { helpApi, needHelpLink, type HelpHit, type HelpListItem } from './api';
import './help.css';

/** Public frame of the help centre: no sign-in needed to read. */
export function HelpShell() {
  return (
    <>
      <Header />
      <main className="pt-main">
        <Outlet />
      </main>
    </>
  );
}

function NeedHelp({ text }: { text: string }) {
  const { t } = useTranslation();
  return (
    <section className="pt-help-need" data-testid="help-need">
      <strong>{t('help.needTitle')}</strong>
      <span className="pt-muted">{t('help.needHint')}</span>
      <Link to={needHelpLink(text)} data-testid="help-need-button">
        <Button type="primary" size="large" block icon={<CustomerServiceOutlined />}>
          {t('help.needButton')}
        </Button>
      </Link>
    </section>
  );
}

function ItemLink({ id, title, html, text, query }: { id: string; title: string; html?: string; text?: string; query?: string }) {
  return (
    <li>
      <Link to={`/help/${id}`} state={{ query }} className="pt-help-item" data-testid="help-item">
        <span className="pt-help-item-title">{title}</span>
        {html !== undefined ? (
          <span className="pt-help-item-text" dangerouslySetInnerHTML={{ __html: html }} />
        ) : (
          <span className="pt-help-item-text">{text}</span>
        )}
      </Link>
    </li>
  );
}

export function HelpHomePage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const category = params.get('category') ?? undefined;
  const [text, setText] = useState(q);
  const cats = useQuery({ queryKey: ['help', 'categories'], queryFn: helpApi.categories, staleTime: 5 * 60_000 });
  const list = useQuery({ queryKey: ['help', 'list', category], queryFn: () => helpApi.list(category), enabled: !q });
  const search = useQuery({ queryKey: ['help', 'search', q, category], queryFn: () => helpApi.search(q, category), enabled: !!q });
  const set = (k: string, v: string | undefined) =>
    setParams((p) => {
      if (v) p.set(k, v);
      else p.delete(k);
      return p;
    });
  const roots = (cats.data?.items ?? []).filter((c) => !c.parentId || !(cats.data?.items ?? []).some((x) => x.id === c.parentId));
  const error = cats.error ?? list.error ?? search.error;

  return (
    <div className="pt-help" data-testid="help-home">
      <section className="pt-hello">
        <h1 className="pt-h1">{t('help.title')}</h1>
        <p className="pt-muted">{t('help.subtitle')}</p>
      </section>
      <form
        className="pt-help-search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          set('q', text.trim() || undefined);
        }}
      >
        <Input
          size="large"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (!e.target.value) set('q', undefined);
          }}
          placeholder={t('help.searchPlaceholder')}
          allowClear
          enterKeyHint="search"
          maxLength={200}
          aria-label={t('help.search')}
          data-testid="help-search"
        />
        <Button type="primary" size="large" htmlType="submit" data-testid="help-search-submit">
          {t('help.search')}
        </Button>
      </form>
      {error instanceof ApiError && error.status === 429 ? <div className="pt-card pt-empty">{portalErrorMessage(error, t)}</div> : null}
      {q ? (
        <section className="pt-section" aria-labelledby="help-results">
          <h2 id="help-results" className="pt-h2">
            {t('help.resultsFor', { q })}
          </h2>
          {search.isPending ? (
            <div className="pt-card">
              <Skeleton active />
            </div>
          ) : search.data?.hits.length ? (
            <ul className="pt-help-list" data-testid="help-results">
              {search.data.hits.map((h: HelpHit) => (
                <ItemLink key={h.id} id={h.id} title={h.title} html={h.snippet} query={q} />
              ))}
            </ul>
          ) : (
            <div className="pt-card pt-empty" data-testid="help-no-results">
              {t('help.noResults')}
            </div>
          )}
        </section>
      ) : (
        <>
          <section className="pt-section" aria-labelledby="help-cats">
            <h2 id="help-cats" className="pt-h2">
              {t('help.categories')}
            </h2>
            {cats.isPending ? (
              <Skeleton active />
            ) : (
              <div className="pt-help-cats">
                {roots.map((c) => (
                  <button
                    key={c.id}
                    type="button"
                    className="pt-help-cat"
                    aria-pressed={category === c.id}
                    onClick={() => set('category', category === c.id ? undefined : c.id)}
                    data-testid="help-category"
                  >
                    <span className="pt-help-cat-name">{c.name}</span>
                    <span className="pt-help-cat-count">{t('help.count', { n: c.count })}</span>
                  </button>
                ))}
              </div>
            )}
          </section>
          <section className="pt-section" aria-labelledby="help-popular">
            <h2 id="help-popular" className="pt-h2">
              {category ? cats.data?.items.find((c) => c.id === category)?.name : t('help.popular')}
            </h2>
            {list.isPending ? (
              <div className="pt-card">
                <Skeleton active />
              </div>
            ) : (
              <ul className="pt-help-list">
                {(list.data?.items ?? []).map((a: HelpListItem) => (
                  <ItemLink key={a.id} id={a.id} title={a.title} text={a.excerpt} />
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      <NeedHelp text={q} />
    </div>
  );
}

export function HelpArticlePage() {
  const { id } = useParams<{ id: string }>();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const query = (location.state as { query?: string } | null)?.query ?? '';
  const [answer, setAnswer] = useState<null | boolean>(null);
  const q = useQuery({ queryKey: ['help', 'article', id], queryFn: () => helpApi.article(id!), enabled: !!id });
  const fb = useMutation({
    mutationFn: (helpful: boolean) => helpApi.feedback(id!, helpful, query || undefined),
    onSuccess: (_r, helpful) => setAnswer(helpful),
    onError: (e) => void message.error(portalErrorMessage(e, t)),
  });
  if (q.isPending)
    return (
      <div className="pt-card">
        <Skeleton active paragraph={{ rows: 6 }} />
      </div>
    );
  if (q.isError) {
    return (
      <Result
        status={q.error instanceof ApiError && q.error.status === 404 ? '404' : 'warning'}
        title={q.error instanceof ApiError && q.error.status === 404 ? t('help.notFound') : portalErrorMessage(q.error, t)}
        extra={
          <Link to="/help">
            <Button size="large">{t('help.back')}</Button>
          </Link>
        }
      />
    );
  }
  const a = q.data;
  return (
    <article className="pt-help" data-testid="help-article">
      <Button
        type="text"
        className="pt-back"
        style={{ alignSelf: 'flex-start' }}
        icon={<LeftOutlined />}
        onClick={() => void (window.history.length > 1 ? navigate(-1) : navigate('/help'))}
      >
        {t('help.back')}
      </Button>
      <div className="pt-help-crumbs">{a.categoryPath.join(' / ')}</div>
      <h1 className="pt-h1" data-testid="help-article-title">
        {a.title}
      </h1>
      <div className="pt-card pt-help-body" dangerouslySetInnerHTML={{ __html: a.body }} />
      <section className="pt-help-feedback" data-testid="help-feedback">
        {answer === null ? (
          <>
            <strong>{t('help.wasHelpful')}</strong>
            <div className="pt-help-feedback-buttons">
              <Button
                size="large"
                icon={<LikeOutlined />}
                loading={fb.isPending && fb.variables === true}
                onClick={() => fb.mutate(true)}
                data-testid="help-yes"
              >
                {t('help.yes')}
              </Button>
              <Button
                size="large"
                icon={<DislikeOutlined />}
                loading={fb.isPending && fb.variables === false}
                onClick={() => fb.mutate(false)}
                data-testid="help-no"
              >
                {t('help.no')}
              </Button>
            </div>
          </>
        ) : (
          <span data-testid="help-thanks">{answer ? t('help.thanksYes') : t('help.thanksNo')}</span>
        )}
      </section>
      {answer === false || answer === null ? <NeedHelp text={query || a.title} /> : null}
    </article>
  );
}
