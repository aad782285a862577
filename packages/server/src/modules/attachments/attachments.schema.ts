import { z } from 'zod';

export const Upload = z.object({ id: z.string(), filename: z.string(), mime: z.string(), size: z.number(), hasThumbnail: z.boolean() }).meta({ id: 'Upload' });
export const AttachmentIdParam = z.object({ id: z.uuid() });
