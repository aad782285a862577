import { defineConfig } from 'vitest/config';

const serverTests = ['packages/server/test/**/*.test.ts', 'packages/server/src/**/*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      // Property tests walk the calendar minute by minute against a reference: seconds of CPU, more while the server
      // suites run beside them. A timeout here is a slow machine, not a failure of the property.
      { test: { name: 'core', include: ['packages/core/src/**/*.test.ts'], environment: 'node', testTimeout: 60_000 } },
      { test: { name: 'web', include: ['packages/web/src/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'server-pglite',
          include: serverTests,
          environment: 'node',
          env: { CHIDU_TEST_DB: 'pglite' },
          globalSetup: ['packages/server/test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'server-postgres',
          include: serverTests,
          environment: 'node',
          env: { CHIDU_TEST_DB: 'postgres' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
