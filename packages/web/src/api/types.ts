/** Shapes mirrored from the server API (packages/server). All times are ISO 8601 UTC strings. */

export type Locale = 'zh-CN' | 'en';

export const ROLES = ['admin', 'director', 'supervisor', 'agent', 'frontdesk', 'technician', 'qa', 'trainer'] as const;
export type Role = (typeof ROLES)[number] | (string & {});

export interface LoginUser {
  id: string;
  employeeNo: string;
  name: string;
  roles: Role[];
  teamId: string | null;
  locale: Locale;
  timeZone: string;
  totpEnabled: boolean;
  mustEnrolTotp: boolean;
}

export interface LoginRequest {
  employeeNo: string;
  password: string;
  otp?: string;
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  csrfToken: string;
  user: LoginUser;
}

export interface Me {
  id: string;
  employeeNo: string;
  name: string;
  roles: Role[];
  teamId: string | null;
  teamName: string | null;
  skills: string[];
  compensationLimitFen: number;
  locale: Locale;
  timeZone: string;
  totpEnabled: boolean;
  mustEnrolTotp: boolean;
  permissions: string[];
}

export interface MePatch {
  name?: string;
  locale?: Locale;
  timeZone?: string;
}

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrDataUrl: string;
}

export interface TotpConfirmResponse {
  recoveryCodes: string[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Staff {
  id: string;
  employeeNo: string;
  name: string;
  roles: Role[];
  teamId: string | null;
  teamName: string | null;
  skills: string[];
  compensationLimitFen: number | null;
  active: boolean;
  totpEnabled: boolean;
  createdAt: string;
}

export interface StaffCreate {
  employeeNo: string;
  name: string;
  password: string;
  roles: Role[];
  teamId?: string;
  skills?: string[];
  compensationLimitFen?: number;
}

export interface StaffPatch {
  name?: string;
  roles?: Role[];
  teamId?: string | null;
  skills?: string[];
  compensationLimitFen?: number | null;
  active?: boolean;
}

export interface Team {
  id: string;
  name: string;
  supervisorId: string | null;
  supervisorName: string | null;
  memberCount: number;
}

export interface TeamCreate {
  name: string;
  supervisorId?: string;
}

export interface RoleRow {
  role: Role;
  permissions: string[];
  requireTotp: boolean;
  defaultCompensationLimitFen: number;
}

export interface RolesResponse {
  items: RoleRow[];
  permissions: string[];
}

export interface FieldChange {
  before: unknown;
  after: unknown;
}

export interface AuditEntry {
  id: string;
  at: string;
  /** 'staff' | 'system' | … */
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  actorEmployeeNo: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  changes: Record<string, FieldChange> | null;
  requestId: string | null;
}

export interface AuditQuery {
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  from?: string;
  to?: string;
}

export const CUSTOMER_TIERS = ['diamond', 'gold', 'silver', 'regular'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number] | (string & {});

export interface Customer {
  id: string;
  name: string;
  /** Masked by the server, e.g. 138****5678. */
  phone: string | null;
  /** Masked by the server. */
  email: string | null;
  tier: CustomerTier;
  vip: boolean;
  tags: string[];
  /** true when phone/email are masked; GET /customers/{id}?reveal=contact unmasks (needs customers.unmask, audited). */
  masked: boolean;
  createdAt: string;
  updatedAt: string;
  /** Only on create: existing customers with the same phone or e-mail. */
  duplicates?: CustomerDuplicate[];
}

export interface CustomerDuplicate {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  tier: string;
  /** e.g. ['phone'] / ['email'] */
  matchedOn: string[];
}

export interface CustomerCreate {
  name: string;
  phone?: string;
  email?: string;
  tier?: CustomerTier;
  vip?: boolean;
  tags?: string[];
}

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

export const TICKET_TYPES = ['inquiry', 'complaint', 'repair', 'after_sales', 'order', 'suggestion', 'emergency'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];
export const CHANNELS = ['phone', 'walk_in', 'portal', 'email', 'chat', 'wechat', 'api'] as const;
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
}

export interface TicketSummary {
  id: string;
  number: string;
  customerId: string;
  customerName: string | null;
  customerTier: string | null;
  type: TicketType;
  channel: Channel;
  priority: Priority;
  status: TicketStatus;
  subject: string;
  ownerId: string | null;
  ownerName: string | null;
  teamId: string | null;
  teamName: string | null;
  categoryId: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  /** Present once the standards engine reports clocks in the queue. */
  standards?: TicketStandard[];
}

export interface TicketQuery {
  status?: string;
  ownerId?: string;
  teamId?: string;
  unassigned?: 'true' | 'false';
  customerId?: string;
  type?: string;
  channel?: string;
  priority?: string;
  q?: string;
  dueWithinSeconds?: number;
  limit?: number;
  cursor?: string;
}

export interface TimelineEvent {
  id: string;
  at: string;
  kind: string;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  data: Record<string, unknown>;
}

export interface AttachmentMeta {
  id: string;
  filename: string;
  mime: string;
  size: number;
  hasThumbnail: boolean;
}

export interface TicketReply {
  id: string;
  authorKind: string;
  authorId: string | null;
  authorName: string | null;
  visibility: 'public' | 'internal';
  body: string;
  createdAt: string;
  attachments: AttachmentMeta[];
}

export interface OrderLine {
  id?: string;
  item: string;
  spec: string;
  quantity: number;
}

export type HandoverState = 'pending' | 'confirmed' | 'declined' | 'cancelled';

export interface Handover {
  id: string;
  ticketId: string;
  fromStaffId: string;
  fromStaffName: string | null;
  toStaffId: string;
  toStaffName: string | null;
  situation: string;
  need: string;
  done: string;
  pending: string;
  expectation: string;
  cautions: string;
  state: HandoverState;
  decisionNote: string | null;
  createdAt: string;
  decidedAt: string | null;
  ticketNumber?: string | null;
  ticketSubject?: string | null;
}

export interface HandoverCreate {
  toStaffId: string;
  situation: string;
  need: string;
  done: string;
  pending: string;
  expectation: string;
  cautions?: string;
}

export interface Compensation {
  id: string;
  ticketId: string;
  kind: CompensationKind;
  amountFen: number;
  currency: string;
  reason: string;
  state: 'granted' | 'pending_approval' | 'rejected';
  requestedById: string;
  approvalId: string | null;
  createdAt: string;
}

export interface TicketLink {
  otherId: string;
  kind: string;
  number: string | null;
}

export interface TicketAllowed {
  reply: boolean;
  assign: boolean;
  handover: boolean;
  compensate: boolean;
  resolve: boolean;
  reopen: boolean;
}

export interface TicketDetail extends TicketSummary {
  description: string;
  site: string | null;
  resolution: string | null;
  callDurationSeconds: number | null;
  ringCount: number | null;
  externalRef: string | null;
  mergedIntoId: string | null;
  firstPublicReplyAt: string | null;
  closedAt: string | null;
  customerConfirmedAt: string | null;
  reopenCount: number;
  standards: TicketStandard[];
  timeline: TimelineEvent[];
  replies: TicketReply[];
  attachments: (AttachmentMeta & { replyId: string | null })[];
  orderLines: OrderLine[];
  handovers: Handover[];
  compensations: Compensation[];
  links: TicketLink[];
  allowed: TicketAllowed;
}

export interface TicketCreate {
  customerId: string;
  type: TicketType;
  channel: Channel;
  priority?: Priority;
  subject: string;
  description?: string;
  categoryId?: string | null;
  tags?: string[];
  site?: string | null;
  takeOwnership?: boolean;
  callDurationSeconds?: number;
  ringCount?: number;
  orderLines?: Omit<OrderLine, 'id'>[];
  attachmentIds?: string[];
}

export interface TicketCreated {
  id: string;
  number: string;
  status: TicketStatus;
  ownerId: string | null;
  teamId: string | null;
  dispatch: { ruleId: string | null; reason: string } | null;
  standards: TicketStandard[];
}

export type BulkAction = 'assign' | 'priority' | 'tag' | 'status' | 'resolve';

export interface BulkBody {
  ids: string[];
  action: BulkAction;
  ownerId?: string | null;
  teamId?: string | null;
  priority?: Priority;
  tags?: string[];
  status?: WorkStatus;
  resolution?: string;
}

export interface BulkResult {
  results: { id: string; ok: boolean; code?: string; detail?: string }[];
  succeeded: number;
  failed: number;
}

export interface Approval {
  id: string;
  kind: 'compensation' | 'order_change';
  ticketId: string;
  ticketNumber: string | null;
  subjectId: string;
  amountFen: number | null;
  requestedById: string;
  requestedByName: string | null;
  state: 'pending' | 'approved' | 'rejected';
  decidedById: string | null;
  comment: string | null;
  createdAt: string;
  decidedAt: string | null;
  summary: string;
  canDecide: boolean;
}

export interface Category {
  id: string;
  name: string;
  parentId: string | null;
  position: number;
}

export interface DispatchConditions {
  types?: TicketType[];
  categoryIds?: string[];
  priorities?: Priority[];
  channels?: Channel[];
  tiers?: string[];
  vip?: boolean;
}

export interface DispatchRuleInput {
  name: string;
  active: boolean;
  position?: number;
  conditions: DispatchConditions;
  teamId: string;
  requiredSkills: string[];
  maxOpenPerAgent: number | null;
}

export interface DispatchRule extends DispatchRuleInput {
  id: string;
  position: number;
  teamName: string | null;
}

export interface DryRunBody {
  ticketId?: string;
  type?: TicketType;
  channel?: Channel;
  priority?: Priority;
  categoryId?: string | null;
  customerId?: string;
  tier?: string;
  vip?: boolean;
}

export interface DispatchDecision {
  ruleId: string | null;
  ruleName: string | null;
  teamId: string | null;
  staffId: string | null;
  staffName: string | null;
  reason: string;
  rules: { ruleId: string; name: string; matched: boolean; why: string }[];
  candidates: { staffId: string; name: string; openLoad: number; onDuty: boolean; eligible: boolean; why: string }[];
}

export interface SavedFilter {
  id: string;
  name: string;
  query: Record<string, string>;
}

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

export interface AppNotification {
  id: string;
  kind: string;
  ticketId: string | null;
  title: string;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: AppNotification[];
  nextCursor: string | null;
  unreadCount: number;
}

// ───────────────────────────── CRM 360 ─────────────────────────────

export interface CustomerAddress {
  label?: string;
  text: string;
}

export interface CustomerConsent {
  marketing?: boolean;
  surveys?: boolean;
  dataSharing?: boolean;
}

export interface CustomerProfile extends Omit<Customer, 'duplicates'> {
  wechatId: string | null;
  idNumber: string | null;
  addresses: CustomerAddress[];
  demandType: string | null;
  notes: string | null;
  consent: CustomerConsent;
  mergedIntoId: string | null;
}

export interface CustomerPatch {
  name?: string;
  phone?: string | null;
  email?: string | null;
  wechatId?: string | null;
  idNumber?: string | null;
  tier?: CustomerTier;
  vip?: boolean;
  tags?: string[];
  addresses?: CustomerAddress[];
  demandType?: string | null;
  notes?: string | null;
  consent?: CustomerConsent;
}

export interface Customer360 {
  profile: CustomerProfile;
  stats: { tickets: number; open: number; complaints: number; compensationFen: number };
  tickets: { id: string; number: string; subject: string; type: TicketType; status: TicketStatus; priority: Priority; createdAt: string }[];
  compensations: (Partial<Compensation> & { id: string; amountFen: number; kind: string; state: string; createdAt: string; ticketNumber?: string | null })[];
  timeline: { id: string; at: string; kind: string; aggregateType: string; aggregateId: string; actorName: string | null; data: Record<string, unknown> }[];
  duplicates: CustomerDuplicate[];
}
