/**
 * The API's shapes for the UI. Each is an alias of the type generated from the server's OpenAPI document
 * (`schema.gen.ts`, `npm run openapi`), named by the operation that returns or takes it. The few still written by
 * hand say why (`TODO(#17)`): their route has no response schema yet, or the schema is looser than the UI needs.
 * All times are ISO 8601 UTC strings.
 */
import type { ItemOf, QueryParamsOf, RequestBodyOf, ResponseOf } from './client';

/** Generated type `T` with some fields narrowed to what the UI relies on. */
type Narrow<T, N> = Omit<T, keyof N> & N;
// Request bodies built from form values (roles, tiers as plain strings) are `Narrow`ed to the looser UI types; the
// server validates the enums, and endpoints.ts passes them on with `as` (field names are still checked).

export type Locale = 'zh-CN' | 'en';

export const ROLES = ['admin', 'director', 'supervisor', 'agent', 'frontdesk', 'technician', 'qa', 'trainer'] as const;
export type Role = (typeof ROLES)[number] | (string & {});

// TODO(#17): `locale` narrowed until the identity schema declares it as an enum (server: z.string()).
export type LoginUser = Narrow<ResponseOf<'post', '/auth/login'>['user'], { locale: Locale; roles: Role[] }>;

export type LoginRequest = RequestBodyOf<'post', '/auth/login'>;

export type LoginResponse = Narrow<ResponseOf<'post', '/auth/login'>, { user: LoginUser }>;

// TODO(#17): `locale` narrowed until the identity schema declares it as an enum (server: z.string()).
export type Me = Narrow<ResponseOf<'get', '/me'>, { locale: Locale; roles: Role[] }>;

export type MePatch = RequestBodyOf<'patch', '/me'>;

export type TotpSetup = ResponseOf<'post', '/me/totp/setup'>;

export type TotpConfirmResponse = ResponseOf<'post', '/me/totp/confirm'>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type Staff = ResponseOf<'get', '/staff/{id}'>;

export type StaffCreate = Narrow<RequestBodyOf<'post', '/staff'>, { roles: Role[] }>;

export type StaffPatch = Narrow<RequestBodyOf<'patch', '/staff/{id}'>, { roles?: Role[] }>;

export type Team = ItemOf<ResponseOf<'get', '/teams'>['items']>;

export type TeamCreate = RequestBodyOf<'post', '/teams'>;

export type RoleRow = ResponseOf<'patch', '/roles/{role}'>;

export type RolesResponse = ResponseOf<'get', '/roles'>;

export interface FieldChange {
  before: unknown;
  after: unknown;
}

export type AuditEntry = ItemOf<ResponseOf<'get', '/audit'>['items']>;

export type AuditQuery = Omit<NonNullable<QueryParamsOf<'get', '/audit'>>, 'limit' | 'cursor'>;

export const CUSTOMER_TIERS = ['diamond', 'gold', 'silver', 'regular'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number] | (string & {});

export type Customer = ResponseOf<'post', '/customers'>;

export type CustomerDuplicate = ItemOf<NonNullable<Customer['duplicates']>>;
export type CustomerIdentity = ItemOf<ResponseOf<'get', '/customers/{id}/360'>['identities']>;

export type CustomerCreate = Narrow<RequestBodyOf<'post', '/customers'>, { tier?: CustomerTier }>;

/** Permission ids used by the UI. The server is the authority; these only drive menus and buttons. */
export const PERM = {
  staffView: 'staff.view',
  staffManage: 'staff.manage',
  teamsManage: 'teams.manage',
  rolesView: 'roles.view',
  rolesManage: 'roles.manage',
  auditView: 'audit.view',
  customersRead: 'customers.read',
  customersWrite: 'customers.write',
  customersUnmask: 'customers.unmask',
  customersMerge: 'customers.merge',
  ticketsCreate: 'tickets.create',
  ticketsWork: 'tickets.work',
  ticketsReadAll: 'tickets.read_all',
  ticketsAssignAny: 'tickets.assign_any',
  ticketsBulk: 'tickets.bulk',
  dispatchManage: 'dispatch.manage',
  categoriesManage: 'categories.manage',
  ordersApprove: 'orders.approve',
} as const;

// ───────────────────────────── tickets (工单) ─────────────────────────────

export const TICKET_TYPES = ['inquiry', 'complaint', 'repair', 'after_sales', 'order', 'suggestion', 'emergency', 'internal'] as const;
/** The types of a customer's request (everything but `internal`, 内部工单: surveys and care never reach those). */
export const CUSTOMER_TICKET_TYPES = ['inquiry', 'complaint', 'repair', 'after_sales', 'order', 'suggestion', 'emergency'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];
export const CHANNELS = ['phone', 'walk_in', 'portal', 'email', 'chat', 'wechat', 'api', 'dingtalk'] as const;
export type Channel = (typeof CHANNELS)[number];
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const STATUSES = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof STATUSES)[number];
export const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_internal'];
/** Statuses an agent may move an open ticket to explicitly. */
export const WORK_STATUSES = ['in_progress', 'pending_customer', 'pending_internal'] as const;
export type WorkStatus = (typeof WORK_STATUSES)[number];
export const COMPENSATION_KINDS = ['coupon', 'discount', 'refund', 'free_service', 'gift'] as const;
export type CompensationKind = (typeof COMPENSATION_KINDS)[number];
export const LINK_KINDS = ['related', 'duplicate', 'parent', 'child'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export type StandardClockState = 'running' | 'paused' | 'met' | 'breached' | 'cancelled';

// TODO(#17): generated once the ticket's `standards` items are a named schema (tickets/standards modules).
/** A service-standard clock on a ticket (from the standards engine; fields beyond code/state are optional). */
export interface TicketStandard {
  code: string;
  name?: string;
  state: StandardClockState | (string & {});
  dueAt: string | null;
  metAt: string | null;
  breachedAt: string | null;
  startedAt?: string | null;
  remainingSeconds?: number | null;
  limitSeconds?: number | null;
  paused?: boolean;
  /** Counted standards: the recorded count, the inclusive limit and what is counted. */
  observed?: number | null;
  countLimit?: number | null;
  countSource?: string | null;
}

// TODO(#17): generated once GET /tickets sends `standards` per item (tickets module); the queue's clock column reads them.
export type TicketSummary = ItemOf<ResponseOf<'get', '/tickets'>['items']> & { standards?: TicketStandard[] };

// TODO(#17): generated once GET /tickets declares `dueWithinSeconds` (tickets module; the 即将超时 tab sends it).
export type TicketQuery = NonNullable<QueryParamsOf<'get', '/tickets'>> & { dueWithinSeconds?: number };

export type TimelineEvent = ItemOf<ResponseOf<'get', '/tickets/{id}'>['timeline']>;

export type AttachmentMeta = ResponseOf<'post', '/attachments'>;

export type TicketReply = ItemOf<ResponseOf<'get', '/tickets/{id}'>['replies']>;

/** `id` is absent on lines being written. */
export type OrderLine = Narrow<ItemOf<ResponseOf<'get', '/tickets/{id}'>['orderLines']>, { id?: string }>;

export type HandoverState = 'pending' | 'confirmed' | 'declined' | 'cancelled';

export type Handover = ItemOf<ResponseOf<'get', '/handovers'>['items']>;

export type HandoverCreate = RequestBodyOf<'post', '/tickets/{id}/handovers'>;

export type Compensation = ResponseOf<'post', '/tickets/{id}/compensations'>;

export type TicketLink = ItemOf<ResponseOf<'get', '/tickets/{id}'>['links']>;

export type TicketAllowed = ResponseOf<'get', '/tickets/{id}'>['allowed'];

// TODO(#17): handovers/compensations are `unknown[]` in GET /tickets/{id}'s schema until the tickets module names them.
export type TicketDetail = Narrow<ResponseOf<'get', '/tickets/{id}'>, { handovers: Handover[]; compensations: Compensation[] }>;

export type TicketCreate = RequestBodyOf<'post', '/tickets'>;

export type TicketCreated = ResponseOf<'post', '/tickets'>;

export type BulkAction = 'assign' | 'priority' | 'tag' | 'status' | 'resolve';

export type BulkBody = RequestBodyOf<'post', '/tickets/bulk'>;
// TODO(#17): generated once POST /tickets/bulk has a response schema (tickets module).

export interface BulkResult {
  results: { id: string; ok: boolean; code?: string; detail?: string }[];
  succeeded: number;
  failed: number;
}

export type Approval = ItemOf<ResponseOf<'get', '/approvals'>['items']>;
export type TicketCounts = ResponseOf<'get', '/tickets/counts'>;

export type Category = ItemOf<ResponseOf<'get', '/categories'>['items']>;

export interface DispatchConditions {
  types?: TicketType[];
  categoryIds?: string[];
  priorities?: Priority[];
  channels?: Channel[];
  tiers?: string[];
  vip?: boolean;
}

export type DispatchRuleInput = Narrow<RequestBodyOf<'post', '/dispatch/rules'>, { conditions: DispatchConditions }>;

export type DispatchRule = ItemOf<ResponseOf<'get', '/dispatch/rules'>['items']>;

export type DryRunBody = Narrow<RequestBodyOf<'post', '/dispatch/dry-run'>, { tier?: string }>;

export type DispatchDecision = ResponseOf<'post', '/dispatch/dry-run'>;

export type SavedFilter = ItemOf<ResponseOf<'get', '/me/filters'>['items']>;
// TODO(#17): generated once GET /teams/load has a response schema (tickets module).

export interface TeamLoadMember {
  staffId: string;
  employeeNo: string;
  name: string;
  teamId: string | null;
  teamName: string | null;
  onDuty: boolean;
  openTickets: number;
  pendingHandovers: number;
}

export type AppNotification = ItemOf<NotificationPage['items']>;

export type NotificationPage = ResponseOf<'get', '/notifications'>;

// ───────────────────────────── CRM 360 ─────────────────────────────

export interface CustomerAddress {
  label?: string;
  text: string;
}

export interface CustomerConsent {
  marketing?: boolean;
  surveys?: boolean;
  dataSharing?: boolean;
  /** Channel consents: absent = not withdrawn (the server contacts unless false). */
  email?: boolean;
  wechat?: boolean;
  sms?: boolean;
}
// TODO(#17): CustomerProfile / Customer360 generated once GET /customers/{id}/360 and PATCH /customers/{id} have response schemas.

export interface CustomerProfile extends Omit<Customer, 'duplicates'> {
  wechatId: string | null;
  idNumber: string | null;
  addresses: CustomerAddress[];
  demandType: string | null;
  notes: string | null;
  consent: CustomerConsent;
  mergedIntoId: string | null;
  /** 需一对一帮办 (none = no) and the designated staff member (专人). */
  assistance: 'none' | 'elderly' | 'disabled' | 'other';
  assistanceNote: string | null;
  assistStaffId: string | null;
  assistStaffName: string | null;
}

export type CustomerPatch = Narrow<RequestBodyOf<'patch', '/customers/{id}'>, { tier?: CustomerTier }>;

export interface Customer360 {
  profile: CustomerProfile;
  stats: { tickets: number; open: number; complaints: number; compensationFen: number };
  tickets: { id: string; number: string; subject: string; type: TicketType; status: TicketStatus; priority: Priority; createdAt: string }[];
  compensations: (Partial<Compensation> & { id: string; amountFen: number; kind: string; state: string; createdAt: string; ticketNumber?: string | null })[];
  timeline: { id: string; at: string; kind: string; aggregateType: string; aggregateId: string; actorName: string | null; data: Record<string, unknown> }[];
  /** Identities across channels (phone, e-mail, WeChat openid …), masked unless revealed. */
  identities: CustomerIdentity[];
  duplicates: CustomerDuplicate[];
}
