import type { Twilio } from 'twilio';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient.js';
import { DeliveryError, describeNetworkFailure, isRetryableStatus } from '../../outbox/delivery-error.js';
import type { Customer, NotificationChannel, NotificationMessage } from '../notification-channel.js';

export interface SmsOptions {
  accountSid: string;
  authToken: string;
  /** A sender number (+15005550006) or a Messaging Service SID (MG...). */
  from: string;
  /** Replaces https://api.twilio.com (and the other Twilio hosts) — for a proxy or a local test server. */
  apiBaseUrl?: string;
  timeoutMs: number;
}

/**
 * The Twilio client, with Twilio's own HTTP client sending every request to `apiBaseUrl` instead of *.twilio.com (path
 * and query kept) when one is given. The SDK is loaded here, on first use: an instance that sends no SMS does not
 * hold it in memory.
 */
async function twilioClient(options: SmsOptions): Promise<Twilio> {
  const { default: twilio } = await import('twilio');
  class BaseUrlRequestClient extends twilio.RequestClient {
    constructor(
      private readonly baseUrl: URL,
      timeout: number,
    ) {
      super({ timeout, keepAlive: true });
    }

    override request<TData>(opts: TwilioRequestClient.RequestOptions<TData>) {
      const original = new URL(opts.uri);
      const target = new URL(
        original.pathname.replace(/^\//, '') + original.search,
        this.baseUrl.href.endsWith('/') ? this.baseUrl : `${this.baseUrl.href}/`,
      );
      return super.request<TData>({ ...opts, uri: target.href });
    }
  }
  const httpClient = options.apiBaseUrl
    ? new BaseUrlRequestClient(new URL(options.apiBaseUrl), options.timeoutMs)
    : new twilio.RequestClient({ timeout: options.timeoutMs, keepAlive: true });
  return twilio(options.accountSid, options.authToken, { httpClient, autoRetry: false });
}

/** The customer's SMS address: the phone as +digits (or as given, without a country code). */
export function smsRecipient(customer: Customer): string | undefined {
  const digits = customer.phone.replace(/\D/g, '');
  if (digits.length < 8) return undefined;
  return customer.phone.trim().startsWith('+') ? `+${digits}` : customer.phone.trim();
}

/** SMS through Twilio's Messages API with the official SDK. */
export class SmsChannel implements NotificationChannel {
  readonly name = 'sms' as const;
  private client?: Promise<Twilio>;

  constructor(private readonly options: SmsOptions) {}

  recipient(customer: Customer): string | undefined {
    return smsRecipient(customer);
  }

  async send(message: NotificationMessage): Promise<void> {
    const sender = this.options.from.startsWith('MG') ? { messagingServiceSid: this.options.from } : { from: this.options.from };
    try {
      await (
        await (this.client ??= twilioClient(this.options))
      ).messages.create({ to: message.to, body: message.content.shortText, ...sender });
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number') {
        const e = error as { code?: number; message?: string };
        throw new DeliveryError(
          `Twilio answered HTTP ${status}${e.code ? ` (error ${e.code})` : ''}: ${e.message ?? ''}`.slice(0, 400),
          !isRetryableStatus(status),
        );
      }
      throw describeNetworkFailure('Twilio API', error);
    }
  }
}
