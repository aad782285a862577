import { z } from 'zod';

export const TIERS = ['diamond', 'gold', 'silver', 'regular'] as const;
/** 需一对一帮办 (issue #13 item 7): why a customer needs one-to-one help; `none` = no. */
export const ASSISTANCE = ['none', 'elderly', 'disabled', 'other'] as const;
export type Assistance = (typeof ASSISTANCE)[number];

/** 楼栋 / 单元 / 房号: free text (e.g. "3栋", "2单元", "1201"; "商铺" / "A-12" for shops). */
const place = (max: number) => z.string().trim().min(1).max(max);
export type Tier = (typeof TIERS)[number];

export const CustomerCreate = z.object({
  name: z.string().trim().min(1).max(100),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 -]{5,19}$/, 'must be a phone number (digits, optional +, spaces or -)')
    .optional(),
  email: z.email('must be an email address').max(200).optional(),
  tier: z.enum(TIERS).default('regular'),
  vip: z.boolean().default(false),
  tags: z.array(z.string().trim().min(1).max(32)).max(50).default([]),
  building: place(32).optional(),
  unit: place(32).optional(),
  room: place(32).optional(),
});

/** An existing customer with the same phone or e-mail (masked). */
export const CustomerDuplicate = z
  .object({
    id: z.string(),
    name: z.string(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    tier: z.string(),
    matchedOn: z.array(z.string()),
  })
  .meta({ id: 'CustomerDuplicate' });

export const Customer = z
  .object({
    id: z.string(),
    name: z.string(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    tier: z.enum(TIERS),
    vip: z.boolean(),
    tags: z.array(z.string()),
    building: z.string().nullable().describe('楼栋'),
    unit: z.string().nullable().describe('单元'),
    room: z.string().nullable().describe('房号'),
    masked: z.boolean().describe('true when phone/email are masked; reveal with ?reveal=contact (logged)'),
    internal: z.boolean().optional().describe('the internal customer (owner of internal tickets, 内部工单); never listed'),
    createdAt: z.string(),
    updatedAt: z.string(),
    duplicates: z.array(CustomerDuplicate).optional().describe('on create: existing customers with the same phone or e-mail (offer to merge)'),
  })
  .meta({ id: 'Customer' });

export const CustomerQuery = z.object({
  q: z.string().trim().max(100).optional().describe('name, e-mail, phone digits, or the flat: 楼栋/单元/房号 (e.g. "3栋 1201" or "3-1-1201")'),
  tier: z.enum(TIERS).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
});

export const CustomerGetQuery = z.object({ reveal: z.enum(['contact']).optional() });

export const CustomerIdParam = z.object({ id: z.uuid() });

const Address = z.object({ label: z.string().trim().max(32).default(''), text: z.string().trim().min(1).max(300) });
export const CustomerPatch = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 -]{5,19}$/, 'must be a phone number')
    .nullable()
    .optional(),
  email: z.email().max(200).nullable().optional(),
  wechatId: z.string().trim().max(64).nullable().optional(),
  idNumber: z
    .string()
    .trim()
    .regex(/^[0-9]{17}[0-9Xx]$/, 'must be an 18-character id number')
    .nullable()
    .optional(),
  tier: z.enum(TIERS).optional(),
  vip: z.boolean().optional(),
  tags: z.array(z.string().trim().min(1).max(32)).max(50).optional(),
  addresses: z.array(Address).max(10).optional(),
  demandType: z.string().trim().max(64).nullable().optional(),
  notes: z.string().trim().max(5000).nullable().optional(),
  building: place(32).nullable().optional(),
  unit: place(32).nullable().optional(),
  room: place(32).nullable().optional(),
  assistance: z.enum(ASSISTANCE).optional().describe('需一对一帮办: elderly, disabled, other (with a note) or none'),
  assistanceNote: z.string().trim().max(500).nullable().optional(),
  assistStaffId: z.uuid().nullable().optional().describe('专人: the designated staff member who owns their new tickets while active'),
  consent: z
    .object({
      marketing: z.boolean().optional(),
      surveys: z.boolean().optional(),
      dataSharing: z.boolean().optional(),
      email: z.boolean().optional(),
      wechat: z.boolean().optional(),
      sms: z.boolean().optional(),
    })
    .optional(),
});
export type CustomerPatchInput = z.infer<typeof CustomerPatch>;

/** The full CRM profile. Contact details and the id number are masked unless revealed (`masked`). */
export const CustomerProfile = z
  .object({
    id: z.string(),
    name: z.string(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    wechatId: z.string().nullable(),
    idNumber: z.string().nullable(),
    tier: z.enum(TIERS),
    vip: z.boolean(),
    tags: z.array(z.string()),
    addresses: z.array(z.object({ label: z.string(), text: z.string() })),
    building: z.string().nullable().describe('楼栋'),
    unit: z.string().nullable().describe('单元'),
    room: z.string().nullable().describe('房号'),
    demandType: z.string().nullable(),
    notes: z.string().nullable(),
    assistance: z.enum(ASSISTANCE).describe('需一对一帮办: none = no one-to-one help'),
    assistanceNote: z.string().nullable(),
    assistStaffId: z.string().nullable().describe('专人: the designated staff member'),
    assistStaffName: z.string().nullable(),
    consent: z.record(z.string(), z.boolean()),
    mergedIntoId: z.string().nullable(),
    /** The organisation itself, owner of internal tickets (内部工单); never listed. Absent: false. */
    internal: z.boolean().optional(),
    masked: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'CustomerProfile' });

/** One identity of the customer on a channel or on the record (customer 360). */
export const CustomerIdentity = z
  .object({
    kind: z.string().describe('phone | email | wechat_id | wechat_openid | wechat_unionid …'),
    value: z.string().describe('masked unless revealed (?reveal=contact): phone/e-mail like the profile, an openid cut to its ends'),
    source: z.enum(['record', 'channel']).describe('record: on the customer record; channel: attached by a channel (openid, a phone written in a message)'),
    channel: z.object({ id: z.string(), name: z.string(), kind: z.string() }).nullable().describe('the channel it came by'),
    firstSeen: z.string().nullable(),
    lastSeen: z.string().nullable(),
  })
  .meta({ id: 'CustomerIdentity' });

export const Customer360 = z
  .object({
    profile: CustomerProfile,
    stats: z.object({ tickets: z.number().int(), open: z.number().int(), complaints: z.number().int(), compensationFen: z.number().int() }),
    tickets: z.array(
      z.object({
        id: z.string(),
        number: z.string(),
        subject: z.string(),
        type: z.string(),
        status: z.string(),
        priority: z.string(),
        createdAt: z.string(),
      }),
    ),
    compensations: z.array(
      z.object({
        id: z.string(),
        ticketId: z.string(),
        kind: z.string(),
        amountFen: z.number().int(),
        state: z.string(),
        acceptance: z.string().nullable().optional().describe('offered | accepted | refused once granted; only accepted counts'),
        reason: z.string(),
        createdAt: z.string(),
      }),
    ),
    timeline: z.array(
      z.object({
        id: z.string(),
        at: z.string(),
        kind: z.string(),
        aggregateType: z.string(),
        aggregateId: z.string(),
        actorName: z.string().nullable(),
        data: z.record(z.string(), z.unknown()),
      }),
    ),
    identities: z.array(CustomerIdentity).describe("the customer's identities across channels"),
    duplicates: z.array(CustomerDuplicate).describe('active customers sharing a phone or e-mail (on the record or given on a channel): offer to merge'),
    allowed: z
      .object({ reveal: z.boolean(), edit: z.boolean(), merge: z.boolean() })
      .describe('what the caller may do with this customer (customers.policy.ts): reveal contact details, edit, merge into another'),
  })
  .meta({ id: 'Customer360' });

export const Customer360Query = z.object({ reveal: z.enum(['contact']).optional() });
export const DuplicatesBody = z.object({ phone: z.string().max(32).optional(), email: z.string().max(200).optional() });
export const DuplicatesResponse = z.object({ items: z.array(CustomerDuplicate) });
export const MergeBody = z.object({ intoId: z.uuid() });
export const MergeResponse = z.object({ id: z.string(), mergedIntoId: z.string(), ticketsMoved: z.number().int() }).meta({ id: 'CustomerMerge' });

/** One message of the customer's timeline across channels (GET /customers/{id}/messages). */
export const CustomerMessage = z
  .object({
    id: z.string(),
    kind: z
      .enum(['opening', 'reply', 'notification'])
      .describe("opening: the ticket's first message; reply: a public reply; notification: survey / reminder / touch"),
    direction: z.enum(['in', 'out']),
    channel: z.object({
      kind: z.string().describe('email | wechat_oa | sms_aliyun | sms_tencent | chat | portal | phone | walk_in | api …'),
      name: z.string().nullable(),
    }),
    text: z.string().describe('plain text, tags and control characters removed, ≤ 4000 characters'),
    attachments: z.array(z.object({ id: z.string(), filename: z.string(), mime: z.string(), size: z.number().int() })),
    at: z.string(),
    author: z.object({ kind: z.enum(['customer', 'staff', 'system']), name: z.string().nullable() }),
    delivery: z.object({ status: z.string(), receipt: z.string().nullable(), error: z.string().nullable() }).nullable(),
    purpose: z.string().nullable().describe('notification: survey | reminder | touch'),
    ticket: z.object({ id: z.string(), number: z.string() }),
  })
  .meta({ id: 'CustomerMessage' });
export const CustomerMessagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.uuid().optional().describe('nextCursor of the previous page'),
});
