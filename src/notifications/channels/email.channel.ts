import type { Socket } from 'node:net';
import type { Transporter } from 'nodemailer';
import { TargetRefusedError } from '../../common/net/outbound-targets.js';
import { DeliveryError, describeNetworkFailure } from '../../outbox/delivery-error.js';
import type { Customer, NotificationChannel, NotificationMessage } from '../notification-channel.js';

export interface EmailOptions {
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465. */
  smtpUrl: string;
  /** Sender address; the display name is the brand name at send time. */
  from: string;
  timeoutMs: number;
  senderName: () => Promise<string>;
  /** Opens each connection to the server when its address must be checked first (a server an admin named). */
  connect?: (host: string, port: number) => Promise<Socket>;
}

/** The customer's email address, when they gave a plausible one. */
export function emailRecipient(customer: Customer): string | undefined {
  return customer.email && /^[^\s@]+@[^\s@]+$/.test(customer.email) ? customer.email : undefined;
}

/** Email over SMTP with nodemailer (pooled connections). */
export class EmailChannel implements NotificationChannel {
  readonly name = 'email' as const;
  private transport?: Promise<Transporter>;

  constructor(private readonly options: EmailOptions) {}

  /** The pooled SMTP transport; nodemailer is loaded on first use (an instance that sends no email does not hold it). */
  private async transporter(): Promise<Transporter> {
    const { default: nodemailer } = await import('nodemailer');
    const url = new URL(this.options.smtpUrl);
    const { connect } = this.options;
    return nodemailer.createTransport({
      ...(connect && {
        // nodemailer speaks SMTP (and TLS) over the socket this opens: a connection only to a checked address.
        getSocket: (
          options: { host?: string; port?: number | string },
          callback: (error: Error | null, socket?: { connection: Socket }) => void,
        ) =>
          void connect(options.host ?? url.hostname, Number(options.port)).then((connection) => callback(null, { connection }), callback),
      }),
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      ...(url.username && { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }),
      pool: true,
      connectionTimeout: this.options.timeoutMs,
      greetingTimeout: this.options.timeoutMs,
      socketTimeout: this.options.timeoutMs,
    });
  }

  recipient(customer: Customer): string | undefined {
    return emailRecipient(customer);
  }

  async send(message: NotificationMessage): Promise<void> {
    try {
      await (
        await (this.transport ??= this.transporter())
      ).sendMail({
        from: { name: await this.options.senderName(), address: this.options.from },
        to: { name: message.customer.name, address: message.to },
        subject: message.content.subject,
        text: message.content.emailText,
        messageId: `<${message.id}@orderline>`,
        headers: { 'X-Orderline-Event': message.event },
      });
    } catch (error) {
      if (error instanceof TargetRefusedError) throw new DeliveryError(`SMTP server ${error.message}`, true);
      const responseCode = (error as { responseCode?: unknown }).responseCode;
      if (typeof responseCode === 'number') {
        // SMTP 5xx rejects the message for good (unknown mailbox, policy); 4xx is a temporary refusal.
        throw new DeliveryError(
          `SMTP server answered ${responseCode}: ${(error instanceof Error ? error.message : String(error)).slice(0, 300)}`,
          responseCode >= 500,
        );
      }
      throw describeNetworkFailure('SMTP server', error);
    }
  }

  close(): void {
    void this.transport?.then((transport) => transport.close()).catch(() => undefined);
  }
}
