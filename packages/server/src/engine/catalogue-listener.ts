import type { Database } from '../db/client';
import type { BackgroundWorker } from '../lib/worker';
import { CATALOGUE_CHANNEL, invalidateCatalogue } from './engine';

/**
 * Keeps this process's cached catalogue of active standards true: forgets it on start and whenever any process
 * announces a change (LISTEN chidu_standards_changed). A worker, not a route hook, so the module file declares it;
 * it claims nothing, and runs even where CHIDU_STANDARDS_WORKER=0 (the catalogue is read by every ticket event).
 */
export class CatalogueListener implements BackgroundWorker {
  readonly name = 'standards-catalogue';
  private unlisten: (() => Promise<void>) | null = null;

  constructor(private readonly database: Database) {}

  async start(): Promise<void> {
    invalidateCatalogue();
    if (this.database.listen) this.unlisten = await this.database.listen(CATALOGUE_CHANNEL, () => invalidateCatalogue()).catch(() => null);
  }

  async stop(): Promise<void> {
    const u = this.unlisten;
    this.unlisten = null;
    await u?.().catch(() => undefined);
  }
}
