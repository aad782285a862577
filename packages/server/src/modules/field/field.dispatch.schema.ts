import { z } from 'zod';
import { VISIT_STATES } from './field.schema';

const reason = z.string().trim().min(1).max(500);
const instant = z.iso.datetime({ offset: true });
const skill = z.string().trim().min(1).max(50);

export const SlotQuery = z.object({
  /** First local day (default today); slots start no earlier than now. */
  from: z.iso.date().optional(),
  days: z.coerce.number().int().min(1).max(14).default(7),
  skill: skill.optional(),
});
export const Slot = z.object({ start: z.string(), end: z.string(), free: z.number().int() }).meta({ id: 'FieldSlot' });
export const SlotList = z
  .object({
    slotMinutes: z.number().int(),
    items: z.array(Slot),
    /** The portal only: the request's appointment when it has one (no slots are offered then). */
    booked: z
      .object({ start: z.string(), end: z.string(), state: z.enum(VISIT_STATES), technicianName: z.string().nullable() })
      .nullable()
      .optional(),
    /** The portal only: whether a new visit can be booked now (false while one is open, after a completed visit until the request is reopened, and on a resolved or closed request). */
    bookable: z.boolean().optional(),
    /** The portal only: the request's last completed visit, with its service report once signed. */
    completed: z
      .object({
        visitId: z.uuid(),
        start: z.string(),
        end: z.string(),
        completedAt: z.string(),
        technicianName: z.string().nullable(),
        reportAttachmentId: z.uuid().nullable(),
      })
      .nullable()
      .optional(),
  })
  .meta({ id: 'FieldSlotList' });

const Window = z.object({ start: instant, end: instant });
const later = (v: { start: string; end: string }) => Date.parse(v.end) > Date.parse(v.start);
export const BookingCreate = Window.extend({ skill: skill.optional() }).refine(later, { message: 'end must be after start', path: ['end'] });
export const PortalBookingCreate = Window.refine(later, { message: 'end must be after start', path: ['end'] });
export const Booked = z
  .object({ id: z.uuid(), state: z.enum(VISIT_STATES), technicianId: z.uuid(), technicianName: z.string(), start: z.string(), end: z.string() })
  .meta({ id: 'FieldBooked' });

export const ProposalOut = z
  .object({
    technicianId: z.uuid(),
    name: z.string(),
    free: z.boolean(),
    skillMatch: z.boolean(),
    area: z.enum(['covered', 'everywhere', 'outside']),
    openLoad: z.number().int(),
    eligible: z.boolean(),
    /** The reasons, rendered in the caller's language. */
    reasons: z.array(z.string()),
  })
  .meta({ id: 'FieldProposal' });
export const ProposalList = z.object({ visitId: z.uuid(), items: z.array(ProposalOut) }).meta({ id: 'FieldProposalList' });

export const DispatchBody = z.object({ technicianId: z.uuid().optional(), dryRun: z.boolean().default(false) });
export const DispatchResult = z
  .object({ dryRun: z.boolean(), chosen: ProposalOut.nullable(), proposals: z.array(ProposalOut), state: z.enum(VISIT_STATES) })
  .meta({ id: 'FieldDispatchResult' });

export const ConfirmBody = z.object({ note: z.string().trim().max(500).optional() });
export const RescheduleBody = Window.extend({ reason }).refine(later, { message: 'end must be after start', path: ['end'] });
export const CancelBody = z.object({ reason });
export const BookingOut = z
  .object({
    visitId: z.uuid(),
    state: z.enum(VISIT_STATES),
    start: z.string(),
    end: z.string(),
    technicianId: z.uuid().nullable(),
    bookedBy: z.enum(['agent', 'customer']),
    confirmedAt: z.string().nullable(),
    confirmNote: z.string().nullable(),
    rescheduleReason: z.string().nullable(),
    reschedules: z.number().int(),
    cancelReason: z.string().nullable(),
  })
  .meta({ id: 'FieldBooking' });

export const Technician = z
  .object({
    id: z.uuid(),
    name: z.string(),
    calendarId: z.uuid().nullable(),
    skills: z.array(z.string()),
    areaSiteIds: z.array(z.uuid()),
  })
  .meta({ id: 'FieldTechnician' });
export const TechnicianPut = z.object({
  staffId: z.uuid(),
  calendarId: z.uuid().nullable(),
  skills: z.array(skill).max(30).default([]),
  areaSiteIds: z.array(z.uuid()).max(100).default([]),
});

export const BoardQuery = z.object({
  date: z.iso.date().optional(),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const BoardVisit = z
  .object({
    id: z.uuid(),
    ticketId: z.uuid(),
    ticketNumber: z.string(),
    ticketSubject: z.string(),
    siteName: z.string().nullable(),
    technicianId: z.uuid().nullable(),
    start: z.string(),
    end: z.string(),
    state: z.enum(VISIT_STATES),
    confirmed: z.boolean(),
    /** late: the window started (or ended) without arrival; at_risk: starts within 30 minutes and nobody set out. */
    flag: z.enum(['late', 'at_risk']).nullable(),
  })
  .meta({ id: 'FieldBoardVisit' });
export const Board = z
  .object({
    date: z.string(),
    now: z.string(),
    /** Technicians in name order (a page of them), each with the day's visits. */
    technicians: z.array(z.object({ id: z.uuid(), name: z.string(), visits: z.array(BoardVisit) })),
    totalTechnicians: z.number().int(),
    /** Visits of the day with no technician or declined by theirs. */
    unassigned: z.array(BoardVisit),
  })
  .meta({ id: 'FieldBoard' });
