import type { Order } from '../generated/prisma/client.js';
import type { AuthUser } from '../common/http/access.js';
import { guestTokenMatches } from './guest-token.js';

/** Who is asking about an order: a signed-in user (customer or admin) and/or the bearer of the guest order token. */
export interface OrderViewer {
  user?: AuthUser;
  guestToken?: string;
}

/** Admins see every order, customers their own, guests the order their X-Order-Token belongs to. */
export function canViewOrder(order: Pick<Order, 'userId' | 'guestTokenHash'>, viewer: OrderViewer): boolean {
  if (viewer.user?.role === 'ADMIN') return true;
  if (viewer.user && order.userId === viewer.user.id) return true;
  return guestTokenMatches(order.guestTokenHash, viewer.guestToken);
}
