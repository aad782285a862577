import { useTranslation } from 'react-i18next';

/**
 * /wall without a usable token: what the wall needs (a display token), who creates it (admins, directors), where
 * (指标设置 → 电视墙显示令牌) and how to open it; or that the token given is invalid, expired or revoked.
 */
export function WallHelp({ kind }: { kind: 'missing' | 'invalid' }) {
  const { t } = useTranslation();
  return (
    <div className="wall-help" data-testid={kind === 'missing' ? 'wall-help' : 'wall-error'}>
      <style>{`.wall-help{min-height:100vh;background:#0b1220;color:#f0f0f0;display:flex;align-items:center;justify-content:center;padding:24px;box-sizing:border-box;font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif}
.wall-help .box{max-width:720px;background:#141d2f;border-radius:12px;padding:32px 36px;line-height:1.7}
.wall-help h1{font-size:28px;margin:0 0 12px}.wall-help p{font-size:17px;margin:0 0 10px;color:#d9d9d9}
.wall-help ol{padding-left:22px;margin:12px 0 16px;font-size:17px;color:#d9d9d9}.wall-help li{margin-bottom:8px}
.wall-help a{display:inline-block;margin-top:8px;color:#69b1ff;font-size:17px}`}</style>
      <div className="box">
        {kind === 'missing' ? (
          <>
            <h1>{t('reports.wall.missingTitle')}</h1>
            <p>{t('reports.wall.missingText')}</p>
            <ol>
              <li>{t('reports.wall.who')}</li>
              <li>{t('reports.wall.where')}</li>
              <li>{t('reports.wall.how')}</li>
            </ol>
            <p>{t('reports.wall.revoke')}</p>
          </>
        ) : (
          <>
            <h1>{t('reports.wall.invalidTitle')}</h1>
            <p>{t('reports.wall.invalidText')}</p>
          </>
        )}
        <a href="/dashboards/settings">{t('reports.wall.settings')}</a>
      </div>
    </div>
  );
}
