import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Dev: `npx vite` in packages/web, with the API server on :3000 (override with CHIDU_API).
// Build: `npx vite build` → packages/web/dist, served by the server with SPA fallback.
const api = process.env.CHIDU_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
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
      output: {
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom)[\\/]/ },
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design|@rc-component|rc-[\w-]+)[\\/]/ },
            { name: 'i18n', test: /node_modules[\\/](i18next|react-i18next|dayjs)[\\/]|[\\/]src[\\/]i18n[\\/]/ },
            { name: 'query', test: /node_modules[\\/]@tanstack[\\/]/ },
          ],
        },
      },
    },
  },
});
