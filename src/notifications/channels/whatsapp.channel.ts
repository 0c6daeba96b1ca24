import { DeliveryError, describeHttpFailure, describeNetworkFailure, isRetryableStatus } from '../../outbox/delivery-error.js';
import type { Customer, NotificationChannel, NotificationMessage } from '../notification-channel.js';
import { whatsappTemplateName } from '../templates.js';

export interface WhatsAppOptions {
  baseUrl: string;
  apiVersion: string;
  phoneNumberId: string;
  accessToken: string;
  language: string;
  templatePrefix: string;
  timeoutMs: number;
}

/** The customer's WhatsApp address: the phone's digits with country code. */
export function whatsappRecipient(customer: Customer): string | undefined {
  const digits = customer.phone.replace(/\D/g, '');
  return digits.length >= 8 ? digits : undefined;
}

/**
 * WhatsApp Business Cloud API: template messages (the only kind a business may start a conversation with), sent with
 * POST {base}/{version}/{phone-number-id}/messages. Each event has an approved template named after it.
 */
export class WhatsAppChannel implements NotificationChannel {
  readonly name = 'whatsapp' as const;

  constructor(private readonly options: WhatsAppOptions) {}

  recipient(customer: Customer): string | undefined {
    return whatsappRecipient(customer);
  }

  async send(message: NotificationMessage): Promise<void> {
    const { baseUrl, apiVersion, phoneNumberId, accessToken, language, templatePrefix, timeoutMs } = this.options;
    const url = `${baseUrl.replace(/\/+$/, '')}/${apiVersion}/${encodeURIComponent(phoneNumberId)}/messages`;
    const body = {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: message.to,
      type: 'template',
      template: {
        name: whatsappTemplateName(message.event, templatePrefix),
        language: { code: language },
        components: [{ type: 'body', parameters: message.content.whatsappParameters.map((text) => ({ type: 'text', text })) }],
      },
    };
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw describeNetworkFailure('WhatsApp API', error);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok)
      throw new DeliveryError(describeHttpFailure('WhatsApp API', response.status, text), !isRetryableStatus(response.status));
  }
}
