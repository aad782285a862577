import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { migratedPgliteImage } from '../src/db/client';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A file holding a migrated, empty PGlite data-directory image (harness.ts `testDatabase`). '' on PostgreSQL. */
    pgliteImagePath: string;
  }
}

/**
 * Once per run of the PGlite server suite: migrate one empty cluster and write its image to a temporary file. Every
 * test database then starts from the image (≈ 0.4 s) instead of a new cluster plus every migration (2–3 s each,
 * hundreds of times per run). Migrations still run on open and find nothing to do, so a stale image cannot pass.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  if (process.env.CHIDU_TEST_DB === 'postgres' || project.config.env?.CHIDU_TEST_DB === 'postgres') {
    project.provide('pgliteImagePath', '');
    return () => undefined;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'chidu-pglite-image-'));
  const file = path.join(dir, 'migrated.tar');
  writeFileSync(file, Buffer.from(await (await migratedPgliteImage()).arrayBuffer()));
  project.provide('pgliteImagePath', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
