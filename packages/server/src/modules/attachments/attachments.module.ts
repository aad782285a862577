import { defineModule } from '../module';
import { attachmentsAccess } from './attachments.access';
import { registerAttachmentRoutes } from './attachments.routes';

export const attachmentsModule = defineModule({ name: 'attachments', access: attachmentsAccess, routes: registerAttachmentRoutes });
