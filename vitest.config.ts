import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const serverTests = ['packages/server/test/**/*.test.ts', 'packages/server/src/**/*.test.ts'];

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the CPUs: one worker on a two-core CI machine, where every server test
    // file then waits its turn although half its time is spent waiting on PostgreSQL or a child process. Each file
    // has its own database (an in-memory PGlite, or a fresh PostgreSQL database), so files run side by side safely;
    // two workers took `npm test` from about 24 to 16 minutes on two cores. CHIDU_TEST_WORKERS overrides.
    maxWorkers: Number(process.env.CHIDU_TEST_WORKERS) || Math.max(2, availableParallelism() - 1),
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
