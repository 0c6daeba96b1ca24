import { Logger } from '@nestjs/common';
import type { Customer, NotificationChannel, NotificationMessage } from '../notification-channel.js';

/** Masks an address for logs: "pr***@example.com", "***3210". */
export function maskAddress(address: string): string {
  const at = address.indexOf('@');
  if (at > 0) return `${address.slice(0, Math.min(2, at))}***${address.slice(at)}`;
  return `***${address.slice(-4)}`;
}

/** The address the log names (masked): email, else phone. */
export function logRecipient(customer: Customer): string | undefined {
  return customer.email || customer.phone || undefined;
}

/** The default channel when no provider is configured: writes the message to the application log. */
export class LogChannel implements NotificationChannel {
  readonly name = 'log' as const;
  private readonly logger = new Logger('Notifications');

  recipient(customer: Customer): string | undefined {
    return logRecipient(customer);
  }

  send(message: NotificationMessage): Promise<void> {
    this.logger.log(`${message.event} for ${maskAddress(message.to)}: ${message.content.shortText}`);
    return Promise.resolve();
  }
}
