import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Presented, Target } from './api';
import { Chart } from './EChart';
import { measureOf, useFormatMeasure, missed, type MeasureKey } from './common';
import { WallHelp } from './WallHelp';

interface WallData {
  name: string;
  teamName: string | null;
  at: string;
  version: number;
  today: Presented;
  week: Presented;
  trend: (Presented & { day: string | null })[];
  board: {
    backlog: { total: number };
    overloaded: { name: string; open: number }[];
    clocks: { code: string; state: string; dueAt: string | null; number: string }[];
  };
  targets: Record<string, Target>;
}

const KEYS: MeasureKey[] = ['csat', 'fcr', 'standardExecutionRate', 'complaintRate', 'nps', 'firstResponseSecondsP50'];

/** TV wall (/wall?token=…): read-only display token, large type, refreshes every 5 s. */
export default function WallPage() {
  const { t } = useTranslation();
  const token = new URLSearchParams(window.location.search).get('token') ?? '';
  const fmt = useFormatMeasure();
  const q = useQuery({
    queryKey: ['wall', token],
    queryFn: () => api.get<WallData>('/public/wall', undefined, { skipAuthRedirect: true, headers: { 'X-Display-Token': token } }),
    refetchInterval: 5000,
    retry: false,
    enabled: token !== '',
  });
  const d = q.data;
  const trend = useMemo(
    () => ({
      backgroundColor: 'transparent',
      textStyle: { color: '#d9d9d9', fontSize: 16 },
      legend: { top: 0, textStyle: { color: '#d9d9d9', fontSize: 16 } },
      grid: { left: 56, right: 24, top: 40, bottom: 32 },
      xAxis: { type: 'category', data: (d?.trend ?? []).map((r) => r.day?.slice(5)), axisLabel: { color: '#bfbfbf', fontSize: 14 } },
      yAxis: { type: 'value', max: 100, axisLabel: { color: '#bfbfbf', formatter: '{value}%', fontSize: 14 }, splitLine: { lineStyle: { color: '#303030' } } },
      series: (['csat', 'fcr', 'standardExecutionRate'] as const).map((k) => ({
        name: t(`measures.name.${k}`),
        type: 'line',
        lineStyle: { width: 3 },
        connectNulls: true,
        data: (d?.trend ?? []).map((r) => {
          const v = r[k].value;
          return v === null ? null : Math.round(v * 1000) / 10;
        }),
      })),
    }),
    [d, t],
  );
  // No token: explain where one comes from; a refused one: say so (invalid, expired or revoked).
  if (!token) return <WallHelp kind="missing" />;
  if (q.error) return <WallHelp kind="invalid" />;
  return (
    <div className="wall" data-testid="wall">
      <style>{`.wall{min-height:100vh;background:#0b1220;color:#f0f0f0;padding:28px 36px;box-sizing:border-box;font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif}
.wall h1{font-size:40px;margin:0 0 4px;font-weight:700}.wall .sub{color:#8c8c8c;font-size:20px;margin-bottom:24px}
.wall .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:20px}.wall .tile{background:#141d2f;border-radius:12px;padding:20px 24px}
.wall .label{font-size:22px;color:#bfbfbf}.wall .big{font-size:64px;font-weight:700;line-height:1.15;margin:6px 0}.wall .small{font-size:18px;color:#8c8c8c}
.wall .bad{color:#ff4d4f}.wall .good{color:#73d13d}.wall .row2{display:grid;grid-template-columns:2fr 1fr;gap:20px;margin-top:20px}
.wall-error{display:flex;align-items:center;justify-content:center;font-size:32px}`}</style>
      <h1>{d?.name ?? t('measures.wall.title')}</h1>
      <div className="sub">
        {d?.teamName ? `${d.teamName} · ` : ''}
        {t('measures.wall.today')} · {d ? new Date(d.at).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '…'}
      </div>
      <div className="grid">
        {KEYS.map((k) => {
          const m = d ? measureOf(d.today, k) : null;
          const w = d ? measureOf(d.week, k) : null;
          const miss = m ? missed(m.value, d?.targets[k]) : null;
          return (
            <div className="tile" key={k} data-testid={`wall-${k}`}>
              <div className="label">{t(`measures.name.${k}`)}</div>
              <div className={`big ${miss === null ? '' : miss ? 'bad' : 'good'}`}>{m ? fmt(k, m.value) : '…'}</div>
              <div className="small">
                {m && m.num !== null ? `${m.num} / ${m.den} · ` : ''}
                {t('measures.wall.week')} {w ? fmt(k, w.value) : '—'}
              </div>
            </div>
          );
        })}
        <div className="tile">
          <div className="label">{t('measures.board.backlog')}</div>
          <div className="big">{d?.board.backlog.total ?? '…'}</div>
          <div className="small">{t('measures.wall.ticketsToday', { n: d?.today.tickets ?? 0 })}</div>
        </div>
        <div className="tile">
          <div className="label">{t('measures.board.breachedOpen')}</div>
          <div className={`big ${(d?.board.clocks.filter((c) => c.state === 'breached').length ?? 0) > 0 ? 'bad' : ''}`}>
            {d?.board.clocks.filter((c) => c.state === 'breached').length ?? '…'}
          </div>
          <div className="small">
            {t('measures.board.atRisk')} {d?.board.clocks.filter((c) => c.state === 'running').length ?? 0}
          </div>
        </div>
      </div>
      <div className="row2">
        <div className="tile">
          <div className="label">{t('measures.wall.trend')}</div>
          <Chart option={trend} height={300} />
        </div>
        <div className="tile">
          <div className="label">{t('measures.board.overloaded')}</div>
          {(d?.board.overloaded ?? []).length === 0 ? (
            <div className="small" style={{ marginTop: 12 }}>
              {t('measures.wall.noneOverloaded')}
            </div>
          ) : (
            (d?.board.overloaded ?? []).slice(0, 8).map((a) => (
              <div key={a.name} style={{ fontSize: 24, marginTop: 10 }}>
                {a.name} <span className="bad">{a.open}</span>
              </div>
            ))
          )}
        </div>
      </div>
    </div>
  );
}
