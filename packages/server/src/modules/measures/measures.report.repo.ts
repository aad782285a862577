/** The reads of the .xlsx report's title block (measures.report.ts). */
import { inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import { settings } from '../../db/schema';

export const reportRepo = {
  /** The organisation's name: the setting `org.name` ({name}), else the demo organisation's marker. */
  async orgName(ex: Executor): Promise<string | null> {
    const rows = await ex
      .select()
      .from(settings)
      .where(inArray(settings.key, ['org.name', 'demo.loaded']));
    const named = (key: string, field: string) => {
      const v = rows.find((r) => r.key === key)?.value as Record<string, unknown> | undefined;
      return typeof v?.[field] === 'string' && v[field] ? v[field] : null;
    };
    return named('org.name', 'name') ?? named('demo.loaded', 'org');
  },
};
