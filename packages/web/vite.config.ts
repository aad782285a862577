import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { serviceWorker } from './pwa';

// Dev: `npx vite` in packages/web, with the API server on :3000 (override with CHIDU_API).
// Build: `npx vite build` → packages/web/dist, served by the server with SPA fallback.
// Two pages: index.html (staff app, every path but /portal) and portal.html (customer portal, /portal and /portal/*).
const api = process.env.CHIDU_API ?? 'http://127.0.0.1:3000';

/** Dev server: /portal and /portal/* get portal.html, like the API server does in production. */
function portalFallback(): Plugin {
  return {
    name: 'chidu-portal-fallback',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const url = req.url ?? '';
        const pathname = url.split('?')[0] ?? '';
        if ((pathname === '/portal' || pathname.startsWith('/portal/')) && !/\.\w+$/.test(pathname)) req.url = '/portal.html';
        // Public survey links /s/<token> get survey.html (the survey issue's mobile page).
        else if (pathname.startsWith('/s/')) req.url = '/survey.html';
        // One-time visit sign-off links /signoff/<token> get signoff.html (field service, #16).
        else if (pathname.startsWith('/signoff/')) req.url = '/signoff.html';
        // The web chat widget page /widget/<channel id> (in the iframe /widget.js places on the host site).
        else if (pathname.startsWith('/widget/')) req.url = '/widget.html';
        next();
      });
    },
  };
}

/**
 * Build: writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip -9) next to every text asset of dist over 1 KiB;
 * the server sends them (`@fastify/static` `preCompressed`) to browsers that accept them, so nothing is compressed
 * per request.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'chidu-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = path.resolve(c.root, c.build.outDir);
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(path.join(dir, d.name)) : [path.join(dir, d.name)]));
      for (const file of walk(outDir)) {
        if (!/\.(js|mjs|css|html|svg|json|txt|map)$/.test(file) || statSync(file).size < 1024) continue;
        const data = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length } }));
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), portalFallback(), serviceWorker(), precompress()],
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false, ws: true },
      '/healthz': { target: api, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      // Vite 8 bundles with Rolldown: `build.rolldownOptions` (`rollupOptions` is a deprecated alias).
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        portal: fileURLToPath(new URL('./portal.html', import.meta.url)),
        survey: fileURLToPath(new URL('./survey.html', import.meta.url)),
        signoff: fileURLToPath(new URL('./signoff.html', import.meta.url)),
        widget: fileURLToPath(new URL('./widget.html', import.meta.url)),
      },
      output: {
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom)[\\/]/ },
            // No single antd chunk: the portal would download all of antd (1.25 MB) for the dozen components it uses.
            // Rolldown splits antd by which entries and lazy pages use each module, so the portal gets only its share.
            { name: 'i18n', test: /node_modules[\\/](i18next|react-i18next|dayjs)[\\/]|[\\/]src[\\/]lib[\\/]i18nSetup\.ts/ },
            // The staff dictionaries (and their i18next init) in a chunk of their own: the portal page shares the
            // i18n libraries above but must neither download nor run the staff app's translations.
            // The public survey page's strings (surveys bundle) stay out of the staff dictionaries' chunk (which pulls antd).
            { name: 'survey-strings', test: /[\\/]src[\\/]i18n[\\/]extra[\\/]surveys\.(zh-CN|en)\.json/, priority: 20 },
            { name: 'widget-strings', test: /[\\/]src[\\/]i18n[\\/]extra[\\/]widget\.(zh-CN|en)\.json/, priority: 20 },
            { name: 'signoff-strings', test: /[\\/]src[\\/]i18n[\\/]extra[\\/]fieldSignoff\.(zh-CN|en)\.json/, priority: 20 },
            { name: 'i18n-staff', test: /[\\/]src[\\/]i18n[\\/]/ },
            { name: 'query', test: /node_modules[\\/]@tanstack[\\/]/ },
          ],
        },
      },
    },
  },
});
