import { maskPhone } from '../../lib/mask';

/** The signed-in customer (schema `PortalMe`): the phone masked. */
export const presentPortalMe = (c: { id: string; name: string; phone: string | null; tier: string }) => ({
  id: c.id,
  name: c.name,
  phone: maskPhone(c.phone),
  tier: c.tier,
});
