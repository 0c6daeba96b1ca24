import { unwrap } from '@orderline/client';
import { startRecordingSmtpServer, type RecordingSmtpServer } from '../support/recording-servers.js';
import { adminToken, api, bearer, expect, screenshots, signIn, test } from './support.js';

test.describe('console: customer notifications', () => {
  let smtp: RecordingSmtpServer;

  test.beforeAll(async () => {
    smtp = await startRecordingSmtpServer();
  });

  // Other tests expect the install's defaults: no channel of the brand's own, the default events.
  test.afterAll(async () => {
    const headers = bearer(await adminToken());
    await unwrap(api().PATCH('/admin/settings', { body: { credentials: { smtp: { url: null, from: null } } } as never, headers }));
    await unwrap(api().PATCH('/admin/notifications', { body: { notifyEvents: null }, headers }));
    await smtp.close();
  });

  test('configures the email channel for the brand (half a channel refused at the field), sends a test message and chooses the events', async ({
    page,
  }) => {
    const smtpUrl = `smtp://127.0.0.1:${smtp.port}`;
    await signIn(page);
    await page.goto('/console/settings');
    const section = page.getByRole('region', { name: 'Customer notifications' });
    await expect(section.getByTestId('channel-log')).toHaveText('No channel is configured: messages go to the server log.');
    await expect(section.getByRole('form', { name: 'Send a test message' })).toContainText('Configure a channel above');

    // Half a channel: the API refuses, and says so at the missing field.
    const email = section.getByRole('form', { name: 'Email (SMTP) channel' });
    await expect(email).toContainText('Not configured');
    await email.getByLabel('Url').fill(smtpUrl);
    await email.getByRole('button', { name: 'Save Email (SMTP)' }).click();
    await expect(email.getByLabel('From')).toHaveAccessibleDescription(/from is required while url is set/);
    await email.getByLabel('From').fill('orders@brand.example');
    await email.getByRole('button', { name: 'Save Email (SMTP)' }).click();
    await expect(email.getByRole('status')).toHaveText('Email (SMTP) saved.');
    await expect(email).toContainText('On');
    await expect(email.getByTestId('credential-smtp-from')).toHaveText('Set, ending mple');
    await expect(email.getByLabel('Url')).toHaveValue('');
    // The stored values are not on the page, nor in what the API answers.
    expect(await page.content()).not.toContain(smtpUrl);
    const settings = await unwrap(api().GET('/admin/settings', { headers: bearer(await adminToken()) }));
    expect(JSON.stringify(settings)).not.toContain(smtpUrl);
    await expect(section.getByTestId('channel-log')).toHaveText('');

    // A test message through the brand's own SMTP server.
    const test = section.getByRole('form', { name: 'Send a test message' });
    await expect(test.getByLabel('Channel')).toHaveValue('email');
    await test.getByLabel('Send to').fill('priya@brand.example');
    await test.getByRole('button', { name: 'Send test message' }).click();
    await expect(test.getByRole('status')).toHaveText('Test message sent by Email (SMTP) to pr***@brand.example.');
    await expect.poll(() => smtp.messages.length).toBe(1);
    expect(smtp.messages[0].to).toEqual(['priya@brand.example']);
    expect(smtp.messages[0].data).toContain('Order TEST-0001 confirmed');

    // Which events notify: the brand's choice, then back to the default.
    const events = section.getByRole('form', { name: 'Events that notify customers' });
    await expect(events).toContainText("The server's default (NOTIFY_EVENTS).");
    await expect(events.getByLabel('Order placed')).toBeChecked();
    await events.getByLabel('Order placed').uncheck();
    await events.getByLabel('Payment failed').check();
    await events.getByRole('button', { name: 'Save events' }).click();
    await expect(events.getByRole('status')).toHaveText('Notified events saved.');
    await expect(events).toContainText('Chosen for this brand.');
    const chosen = await unwrap(api().GET('/admin/notifications', { headers: bearer(await adminToken()) }));
    expect(chosen.notifyEvents).toContain('order.payment_failed');
    expect(chosen.notifyEvents).not.toContain('order.created');
    await screenshots(page, 'settings-notifications');
    await events.getByRole('button', { name: 'Use the default events' }).click();
    await expect(events).toContainText("The server's default (NOTIFY_EVENTS).");
    await expect(events.getByLabel('Order placed')).toBeChecked();
  });
});
