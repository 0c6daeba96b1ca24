import { describe, expect, it } from '@jest/globals';
import { checkNotificationConfig, DEFAULT_NOTIFY_EVENTS } from './notification-config.js';

const base = { NOTIFY_EVENTS: DEFAULT_NOTIFY_EVENTS, NOTIFICATION_LOCALE: 'en', WHATSAPP_API_BASE_URL: 'https://graph.facebook.com' };

describe('notification configuration checks', () => {
  it('accepts no channels (the log channel) and fully configured ones', () => {
    expect(checkNotificationConfig(base)).toEqual([]);
    expect(
      checkNotificationConfig({
        ...base,
        WHATSAPP_ACCESS_TOKEN: 't',
        WHATSAPP_PHONE_NUMBER_ID: '1',
        TWILIO_ACCOUNT_SID: 'AC1',
        TWILIO_AUTH_TOKEN: 't',
        TWILIO_FROM: '+1500',
        SMTP_URL: 'smtp://u:p@mail:587',
        SMTP_FROM: 'orders@brand.example',
      }),
    ).toEqual([]);
  });

  it('names what is missing from a half-configured channel', () => {
    expect(checkNotificationConfig({ ...base, WHATSAPP_ACCESS_TOKEN: 't' })).toEqual([
      'WHATSAPP_PHONE_NUMBER_ID: required when WHATSAPP_ACCESS_TOKEN is set',
    ]);
    expect(checkNotificationConfig({ ...base, TWILIO_ACCOUNT_SID: 'AC1' })).toEqual([
      'TWILIO_AUTH_TOKEN, TWILIO_FROM: required when TWILIO_ACCOUNT_SID is set',
    ]);
    expect(checkNotificationConfig({ ...base, SMTP_URL: 'smtp://mail' })).toEqual(['SMTP_FROM: required when SMTP_URL is set']);
  });

  it('rejects unknown events, malformed addresses and bad locales', () => {
    const problems = checkNotificationConfig({
      ...base,
      NOTIFY_EVENTS: 'order.paid,order.shipped',
      NOTIFICATION_LOCALE: 'not a locale!',
      TWILIO_ACCOUNT_SID: 'XX1',
      TWILIO_AUTH_TOKEN: 't',
      TWILIO_FROM: '+1',
      TWILIO_API_BASE_URL: 'ftp://x',
      SMTP_URL: 'http://mail',
      SMTP_FROM: 'Brand <orders@brand.example>',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'NOTIFICATION_LOCALE',
      'NOTIFY_EVENTS',
      'SMTP_FROM',
      'SMTP_URL',
      'TWILIO_ACCOUNT_SID',
      'TWILIO_API_BASE_URL',
    ]);
    expect(problems.find((p) => p.startsWith('NOTIFY_EVENTS'))).toContain('order.shipped');
  });
});
