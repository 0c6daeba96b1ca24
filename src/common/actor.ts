/** Who caused a change: a signed-in user, a guest, the system (jobs) or a payment provider (webhooks). */
export type ActorType = 'USER' | 'GUEST' | 'SYSTEM' | 'PROVIDER';

export interface Actor {
  type: ActorType;
  id?: string;
  role?: 'ADMIN' | 'CUSTOMER' | 'PLATFORM_ADMIN';
}

export const SYSTEM_ACTOR: Actor = { type: 'SYSTEM', id: 'system' };

/** A payment provider acting through its webhooks or client confirmations. */
export const providerActor = (method: string): Actor => ({ type: 'PROVIDER', id: method.toLowerCase() });
