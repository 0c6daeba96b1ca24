import type { OutboundTargets } from '../common/net/outbound-targets.js';
import { defineCredentials, type CredentialFields } from '../settings/credential-catalogue.js';
import { EmailChannel, emailRecipient } from './channels/email.channel.js';
import { logRecipient } from './channels/log.channel.js';
import { SmsChannel, smsRecipient } from './channels/sms.channel.js';
import { WhatsAppChannel, whatsappRecipient } from './channels/whatsapp.channel.js';
import type { ChannelName, Customer, NotificationChannel } from './notification-channel.js';
import type { NotificationEnvironment } from './notification-config.js';

/** What a channel is built from besides its credentials: the install's settings of each provider's API. */
export interface ChannelEnvironment {
  env: Pick<
    NotificationEnvironment,
    | 'WHATSAPP_API_BASE_URL'
    | 'WHATSAPP_API_VERSION'
    | 'WHATSAPP_TEMPLATE_LANGUAGE'
    | 'WHATSAPP_TEMPLATE_PREFIX'
    | 'TWILIO_API_BASE_URL'
    | 'SMTP_URL'
  >;
  /** The address policy of servers an admin names (a brand's own SMTP server). */
  targets: OutboundTargets;
  timeoutMs: number;
  /** The brand's name at send time (the email sender's display name). */
  senderName: () => Promise<string>;
}

/**
 * A notification channel a brand configures: its credentials (stored encrypted in the brand's settings, each falling
 * back to its environment variable for the default brand) and how to build it from them.
 */
export interface ChannelSpec {
  name: Exclude<ChannelName, 'log'>;
  /** Its key in the settings' `credentials`. */
  provider: string;
  label: string;
  fields: CredentialFields;
  recipient: (customer: Customer) => string | undefined;
  create: (credentials: Readonly<Record<string, string>>, context: ChannelEnvironment) => NotificationChannel;
}

export const CHANNEL_SPECS: readonly ChannelSpec[] = [
  {
    name: 'whatsapp',
    provider: 'whatsapp',
    label: 'WhatsApp',
    fields: {
      accessToken: { env: 'WHATSAPP_ACCESS_TOKEN', description: 'WhatsApp Business Cloud API access token', example: 'EAAGm0PX4ZCpsBA...' },
      phoneNumberId: {
        env: 'WHATSAPP_PHONE_NUMBER_ID',
        pattern: /^\d{5,32}$/,
        message: 'phoneNumberId must be the digits of the WhatsApp phone number id',
        description: 'The WhatsApp phone number id messages are sent from',
        example: '106540352242922',
      },
      // Each brand's WhatsApp Business account has its own approved templates: their language and name prefix.
      templateLanguage: {
        env: 'WHATSAPP_TEMPLATE_LANGUAGE',
        required: false,
        pattern: /^[a-z]{2,3}(_[A-Z]{2,3})?$/,
        message: 'templateLanguage must be a WhatsApp template language code (en, en_US, hi)',
        description: "Language of the brand's approved message templates (else WHATSAPP_TEMPLATE_LANGUAGE)",
        example: 'en_US',
      },
      templatePrefix: {
        env: 'WHATSAPP_TEMPLATE_PREFIX',
        required: false,
        pattern: /^[a-z0-9_]{1,64}$/,
        message: 'templatePrefix must be lowercase letters, digits and underscores',
        description: "Prefix of the brand's approved template names: indigo_ sends indigo_order_paid (else WHATSAPP_TEMPLATE_PREFIX)",
        example: 'indigo_',
      },
    },
    recipient: whatsappRecipient,
    create: (credentials, { env, timeoutMs }) =>
      new WhatsAppChannel({
        baseUrl: env.WHATSAPP_API_BASE_URL,
        apiVersion: env.WHATSAPP_API_VERSION,
        phoneNumberId: credentials.phoneNumberId,
        accessToken: credentials.accessToken,
        language: credentials.templateLanguage || env.WHATSAPP_TEMPLATE_LANGUAGE,
        templatePrefix: credentials.templatePrefix || env.WHATSAPP_TEMPLATE_PREFIX,
        timeoutMs,
      }),
  },
  {
    name: 'sms',
    provider: 'twilio',
    label: 'SMS (Twilio)',
    fields: {
      accountSid: {
        env: 'TWILIO_ACCOUNT_SID',
        pattern: /^AC\w+$/,
        message: 'accountSid must be a Twilio account SID (AC…)',
        description: 'Twilio account SID',
        example: 'AC3f0c6d2b…',
      },
      authToken: { env: 'TWILIO_AUTH_TOKEN', description: 'Twilio auth token' },
      from: {
        env: 'TWILIO_FROM',
        pattern: /^(\+\d{6,15}|MG\w+)$/,
        message: 'from must be a sender number (+15005550006) or a Messaging Service SID (MG…)',
        description: 'Sender number or Messaging Service SID',
        example: '+15005550006',
      },
    },
    recipient: smsRecipient,
    create: (credentials, { env, timeoutMs }) =>
      new SmsChannel({
        accountSid: credentials.accountSid,
        authToken: credentials.authToken,
        from: credentials.from,
        apiBaseUrl: env.TWILIO_API_BASE_URL,
        timeoutMs,
      }),
  },
  {
    name: 'email',
    provider: 'smtp',
    label: 'Email (SMTP)',
    fields: {
      url: {
        env: 'SMTP_URL',
        pattern: /^smtps?:\/\/\S+$/,
        message: 'url must look like smtp://user:pass@host:587 or smtps://host:465',
        description: 'SMTP server with its login: smtp://user:pass@host:587 or smtps://user:pass@host:465',
        example: 'smtp://mailer:secret@smtp.example.com:587',
      },
      from: {
        env: 'SMTP_FROM',
        pattern: /^[^\s@<>]+@[^\s@<>]+$/,
        message: 'from must be a bare email address (the brand name is the sender name)',
        description: 'Sender address',
        example: 'orders@brand.example',
      },
    },
    recipient: emailRecipient,
    // The operator's SMTP_URL may be a relay on the private network; a server an admin names must be public.
    create: (credentials, { env, targets, timeoutMs, senderName }) =>
      new EmailChannel({
        smtpUrl: credentials.url,
        from: credentials.from,
        timeoutMs,
        senderName,
        ...(credentials.url !== env.SMTP_URL && { connect: (host, port) => targets.connect(host, port, timeoutMs) }),
      }),
  },
];

/** Every channel's customer address, the log's included (the log is used when a brand has no channel configured). */
export const RECIPIENTS: Readonly<Record<ChannelName, (customer: Customer) => string | undefined>> = {
  ...(Object.fromEntries(CHANNEL_SPECS.map((spec) => [spec.name, spec.recipient])) as Record<
    ChannelSpec['name'],
    ChannelSpec['recipient']
  >),
  log: logRecipient,
};

export const channelSpec = (name: string): ChannelSpec | undefined => CHANNEL_SPECS.find((spec) => spec.name === name);

/** The fields a channel cannot work without (the others, like WhatsApp's template prefix, are used when set). */
export const requiredFields = (spec: ChannelSpec): string[] =>
  Object.entries(spec.fields)
    .filter(([, field]) => field.required ?? true)
    .map(([name]) => name);

for (const spec of CHANNEL_SPECS) defineCredentials(spec.provider, spec.fields, { label: spec.label, group: 'notifications' });
