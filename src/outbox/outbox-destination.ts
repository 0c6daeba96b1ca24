import type { Prisma } from '../generated/prisma/client.js';
import type { EventType } from './outbox-events.js';

/** An event to queue, as writers hand it to OutboxService.enqueue. */
export interface OutboxInput {
  event: EventType;
  /** The entity the event is about (order id, variant id): lets admins find an entity's messages. */
  aggregateId: string;
  payload: unknown;
}

/** One claimed message on its way to a destination. */
export interface OutboxDelivery {
  /** The message id: the event id receivers deduplicate on (the same on every retry). */
  id: string;
  event: string;
  payload: unknown;
  createdAt: Date;
}

/**
 * A kind of destination for outbox messages: the outbox knows destinations only through this port, which the
 * modules that deliver implement and provide (customer notification channels, brand webhook endpoints). A message row
 * names its destination as "<kind>:<target>", and the dispatcher hands it to the destination of that kind.
 */
export abstract class OutboxDestination {
  /** The prefix of its destinations ("channel", "webhook"). */
  abstract readonly kind: string;

  /**
   * Its destinations for events being queued, as SQL that runs inside the one INSERT that queues them (so a checkout
   * adds one statement, whatever the destinations): a SELECT of rows (idx, destination "<kind>:<target>"), where idx
   * numbers the events from 1 in the order given. The statement's CTE `m` holds the events (event, aggregate_id,
   * payload, idx) for joins. Undefined when it has none for these events.
   */
  abstract destinationsOf(events: readonly OutboxInput[]): Prisma.Sql | undefined;

  /** Delivers one message to one of its targets; throws DeliveryError (permanent when retrying cannot help). */
  abstract deliver(target: string, message: OutboxDelivery): Promise<void>;
}
