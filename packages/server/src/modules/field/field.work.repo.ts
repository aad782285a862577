import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client';
import {
  attachments,
  customers,
  fieldSignoffLinks,
  fieldSites,
  fieldVisitPhotos,
  fieldVisitQuotes,
  fieldVisitSignoffs,
  fieldVisits,
  staff,
  tickets,
} from '../../db/schema';

export type PhotoRow = typeof fieldVisitPhotos.$inferSelect;
export type QuoteRow = typeof fieldVisitQuotes.$inferSelect;
export type SignoffRow = typeof fieldVisitSignoffs.$inferSelect;
export type SignoffLinkRow = typeof fieldSignoffLinks.$inferSelect;

/** The SQL of a visit's work: photos, quote, sign-off, sign-off links, and the facts the service report prints. */
export const fieldWorkRepo = {
  async insertAttachment(ex: Executor, row: typeof attachments.$inferInsert) {
    await ex.insert(attachments).values(row);
  },
  async attachmentBody(ex: Executor, id: string) {
    const [a] = await ex
      .select({ id: attachments.id, ticketId: attachments.ticketId, filename: attachments.filename, mime: attachments.mime, data: attachments.data })
      .from(attachments)
      .where(eq(attachments.id, id));
    return a;
  },

  // ── photos ──
  async insertPhoto(ex: Executor, row: typeof fieldVisitPhotos.$inferInsert): Promise<PhotoRow> {
    const [out] = await ex.insert(fieldVisitPhotos).values(row).returning();
    return out!;
  },
  photos(ex: Executor, visitId: string): Promise<PhotoRow[]> {
    return ex.select().from(fieldVisitPhotos).where(eq(fieldVisitPhotos.visitId, visitId)).orderBy(asc(fieldVisitPhotos.createdAt), asc(fieldVisitPhotos.id));
  },
  /** The photos' image bytes (for the report's thumbnails), in the order given. */
  async photoImages(ex: Executor, attachmentIds: string[]): Promise<Map<string, Buffer>> {
    if (attachmentIds.length === 0) return new Map();
    const rows = await ex.select({ id: attachments.id, data: attachments.data }).from(attachments).where(inArray(attachments.id, attachmentIds));
    return new Map(rows.map((r) => [r.id, r.data]));
  },

  // ── quote ──
  async quote(ex: Executor, visitId: string): Promise<QuoteRow | undefined> {
    const [row] = await ex.select().from(fieldVisitQuotes).where(eq(fieldVisitQuotes.visitId, visitId));
    return row;
  },
  /** Write the visit's quote (a new one replaces a pending one: the unique visit index keeps one per visit). */
  async putQuote(ex: Executor, row: typeof fieldVisitQuotes.$inferInsert): Promise<QuoteRow> {
    const [out] = await ex
      .insert(fieldVisitQuotes)
      .values(row)
      .onConflictDoUpdate({
        target: fieldVisitQuotes.visitId,
        set: {
          id: row.id,
          items: row.items,
          totalFen: row.totalFen,
          state: 'pending',
          createdBy: row.createdBy ?? null,
          createdAt: new Date(),
          acceptedAt: null,
        },
      })
      .returning();
    return out!;
  },
  async acceptQuote(ex: Executor, visitId: string): Promise<QuoteRow> {
    const [out] = await ex.update(fieldVisitQuotes).set({ state: 'accepted', acceptedAt: new Date() }).where(eq(fieldVisitQuotes.visitId, visitId)).returning();
    return out!;
  },

  // ── sign-off ──
  async signoff(ex: Executor, visitId: string): Promise<SignoffRow | undefined> {
    const [row] = await ex.select().from(fieldVisitSignoffs).where(eq(fieldVisitSignoffs.visitId, visitId));
    return row;
  },
  /** Insert the sign-off; false when the visit was signed meanwhile (primary key). */
  async insertSignoff(ex: Executor, row: typeof fieldVisitSignoffs.$inferInsert): Promise<boolean> {
    const out = await ex.insert(fieldVisitSignoffs).values(row).onConflictDoNothing().returning({ visitId: fieldVisitSignoffs.visitId });
    return out.length === 1;
  },
  async insertLink(ex: Executor, row: typeof fieldSignoffLinks.$inferInsert): Promise<SignoffLinkRow> {
    const [out] = await ex.insert(fieldSignoffLinks).values(row).returning();
    return out!;
  },
  async linkByHash(ex: Executor, tokenHash: string, forUpdate = false): Promise<SignoffLinkRow | undefined> {
    const q = ex.select().from(fieldSignoffLinks).where(eq(fieldSignoffLinks.tokenHash, tokenHash));
    const [row] = forUpdate ? await q.for('update') : await q;
    return row;
  },
  /** Mark the link used; false when another request used it first. */
  async useLink(ex: Executor, id: string): Promise<boolean> {
    const out = await ex
      .update(fieldSignoffLinks)
      .set({ usedAt: new Date() })
      .where(and(eq(fieldSignoffLinks.id, id), isNull(fieldSignoffLinks.usedAt)))
      .returning({ id: fieldSignoffLinks.id });
    return out.length === 1;
  },

  // ── report facts ──
  /** The ticket, its customer (no phone) and the technician's name of a visit. */
  async visitContext(ex: Executor, visitId: string) {
    const [row] = await ex
      .select({
        visit: fieldVisits,
        ticketNumber: tickets.number,
        ticketSubject: tickets.subject,
        customerId: tickets.customerId,
        customerName: customers.name,
        technicianName: staff.name,
      })
      .from(fieldVisits)
      .innerJoin(tickets, eq(tickets.id, fieldVisits.ticketId))
      .leftJoin(customers, eq(customers.id, tickets.customerId))
      .leftJoin(staff, eq(staff.id, fieldVisits.technicianId))
      .where(eq(fieldVisits.id, visitId));
    return row;
  },
  /** The visits of a ticket that have a service report. */
  reportsOfTicket(ex: Executor, ticketId: string) {
    return ex
      .select({ visitId: fieldVisitSignoffs.visitId, reportAttachmentId: fieldVisitSignoffs.reportAttachmentId, signedAt: fieldVisitSignoffs.signedAt })
      .from(fieldVisitSignoffs)
      .innerJoin(fieldVisits, eq(fieldVisits.id, fieldVisitSignoffs.visitId))
      .where(eq(fieldVisits.ticketId, ticketId))
      .orderBy(asc(fieldVisitSignoffs.signedAt));
  },
};

/** The site's names from the root down, and the nearest address on the way (the site's own first). */
export async function siteTrail(ex: Executor, siteId: string | null): Promise<{ path: string[]; address: string | null }> {
  if (!siteId) return { path: [], address: null };
  const res = (await ex.execute<{ name: string; address: string | null; depth: number }>(sql`
    WITH RECURSIVE up(id, parent_id, name, address, depth) AS (
      SELECT id, parent_id, name, address, 0 FROM ${fieldSites} WHERE id = ${siteId}
      UNION ALL SELECT s.id, s.parent_id, s.name, s.address, up.depth + 1 FROM ${fieldSites} s JOIN up ON s.id = up.parent_id WHERE up.depth < 20
    ) SELECT name, address, depth FROM up ORDER BY depth DESC`)) as { rows: { name: string; address: string | null; depth: number }[] };
  const rows = res.rows;
  const address = [...rows].reverse().find((r) => r.address && r.address.trim())?.address ?? null;
  return { path: rows.map((r) => r.name), address };
}
