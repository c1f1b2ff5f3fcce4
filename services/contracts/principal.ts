import { z } from 'zod';

/**
 * Who a request acts for: what auth's bearer tokens name and every service's
 * routes read (services/platform/http/guards.ts puts it on the context).
 */
export const ZRole = z.enum(['USER', 'PARTNER', 'ADMIN']);
export type TRole = z.infer<typeof ZRole>;
export const ZPrincipal = z.object({ memberId: z.uuid(), role: ZRole, sessionId: z.uuid() });
export type TPrincipal = z.infer<typeof ZPrincipal>;
