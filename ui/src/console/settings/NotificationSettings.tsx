import { unwrap, type Schemas } from '@orderline/client';
import { useEffect, useState } from 'preact/hooks';
import { Badge } from '../../components/Badge.js';
import { Button } from '../../components/Button.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import { useAsync } from '../../lib/use-async.js';
import { useSubmit } from '../../lib/use-submit.js';
import { api } from '../session.js';
import { describeCredential, fieldLabel, type CredentialStatus } from './Credentials.js';
import { EVENT_LABELS } from './events.js';
import { fieldError } from './WebhookEndpoints.js';
import styles from '../Page.module.css';
import type { Settings, SettingsPatch } from './SettingsPage.js';

type NotificationSettings = Schemas['NotificationSettingsResponse'];
type Channel = Schemas['NotificationChannelResponse'];
type OrderEvent = Schemas['NotificationSettingsResponse']['notifyEvents'][number];

/** The order events customers can be told about, in the order the contract lists them. */
const ORDER_EVENTS = Object.keys(EVENT_LABELS).filter((e): e is OrderEvent => e.startsWith('order.'));

const SOURCE: Record<NotificationSettings['notifyEventsSource'], string> = {
  settings: 'Chosen for this brand.',
  environment: "The server's default (NOTIFY_EVENTS).",
  default: 'The built-in default.',
};

/**
 * Customer notifications for this brand: each channel's credentials (write-only, stored encrypted, shown as "Set,
 * ending 1234"), which order events notify customers, and a test message through a configured channel.
 */
export function NotificationSettingsSection({ settings, save }: { settings: Settings; save: (patch: SettingsPatch) => Promise<Settings> }) {
  const state = useAsync(() => unwrap(api.GET('/admin/notifications')), []);
  const statuses = settings.credentials as unknown as Record<string, Record<string, CredentialStatus> | undefined>;
  return (
    <section class={styles.card} aria-labelledby="notifications-title" aria-busy={state.loading}>
      <h2 id="notifications-title">Customer notifications</h2>
      <p class={styles.note}>
        Customers hear about their orders on every configured channel where they gave an address. With no channel configured, messages only
        go to the server log.
      </p>
      {state.error !== undefined && <ErrorNotice error={state.error} onRetry={state.reload} />}
      {state.data && (
        <>
          {state.data.channels.map((channel) =>
            channel.provider ? (
              <ChannelForm
                key={channel.name}
                channel={channel}
                provider={channel.provider}
                fields={statuses[channel.provider] ?? {}}
                save={async (patch) => {
                  const next = await save(patch);
                  state.reload();
                  return next;
                }}
              />
            ) : (
              <p key={channel.name} class={styles.note} data-testid="channel-log">
                {channel.enabled ? 'No channel is configured: messages go to the server log.' : ''}
              </p>
            ),
          )}
          <NotifyEvents settings={state.data} onSaved={state.reload} />
          <TestMessage channels={state.data.channels.filter((c) => c.enabled && c.provider)} />
        </>
      )}
    </section>
  );
}

/** One channel's credentials, saved together (a channel is configured completely or not at all). */
function ChannelForm({
  channel,
  provider,
  fields,
  save,
}: {
  channel: Channel;
  provider: string;
  fields: Record<string, CredentialStatus>;
  save: (patch: SettingsPatch) => Promise<Settings>;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const { busy, error, notice, run } = useSubmit();
  const typed = Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim()));
  const stored = Object.entries(fields).some(([, status]) => status.source === 'settings');

  const send = (changes: Record<string, string | null>, done: string) =>
    run(async () => {
      await save({ credentials: { [provider]: changes } });
      setValues({});
      return done;
    });

  return (
    <form
      class={styles.credentials}
      aria-label={`${channel.label} channel`}
      onSubmit={(e) => {
        e.preventDefault();
        void send(Object.fromEntries(Object.entries(typed).map(([k, v]) => [k, v.trim()])), `${channel.label} saved.`);
      }}
    >
      <div class={styles.head}>
        <h3>{channel.label}</h3>
        {channel.enabled ? <Badge tone="success">On</Badge> : <Badge tone="neutral">Not configured</Badge>}
      </div>
      {notice && (
        <p class={styles.done} role="status">
          {notice}
        </p>
      )}
      {error !== undefined && <ErrorNotice error={error} />}
      <div class={styles.fields}>
        {Object.entries(fields).map(([field, status]) => (
          <Field
            key={field}
            label={fieldLabel(field)}
            type="password"
            autoComplete="off"
            spellcheck={false}
            hint={<span data-testid={`credential-${provider}-${field}`}>{describeCredential(status)}</span>}
            placeholder={status.set ? 'Replace with…' : 'Set to…'}
            value={values[field] ?? ''}
            onInput={(e) => setValues({ ...values, [field]: e.currentTarget.value })}
            error={fieldError(error, `credentials.${provider}.${field}`)}
          />
        ))}
      </div>
      <div class={styles.actions}>
        {stored && (
          <Button
            variant="ghost"
            disabled={busy}
            onClick={() =>
              void send(
                Object.fromEntries(Object.keys(fields).map((f) => [f, null])),
                `${channel.label} credentials removed from this brand.`,
              )
            }
          >
            Remove stored credentials
          </Button>
        )}
        <Button type="submit" variant="primary" busy={busy} disabled={!Object.keys(typed).length}>
          Save {channel.label}
        </Button>
      </div>
    </form>
  );
}

function NotifyEvents({ settings, onSaved }: { settings: NotificationSettings; onSaved: () => void }) {
  const [events, setEvents] = useState<OrderEvent[]>(settings.notifyEvents);
  useEffect(() => setEvents(settings.notifyEvents), [settings.notifyEvents.join(',')]);
  const { busy, error, notice, run } = useSubmit();
  const send = (notifyEvents: OrderEvent[] | null) =>
    run(async () => {
      await unwrap(api.PATCH('/admin/notifications', { body: { notifyEvents } }));
      onSaved();
      return notifyEvents ? 'Notified events saved.' : 'Back to the default events.';
    });
  return (
    <form
      class={styles.subform}
      aria-label="Events that notify customers"
      onSubmit={(e) => {
        e.preventDefault();
        void send(events);
      }}
    >
      <h3>Events that notify customers</h3>
      <p class={styles.note}>{SOURCE[settings.notifyEventsSource]}</p>
      {notice && (
        <p class={styles.done} role="status">
          {notice}
        </p>
      )}
      {error !== undefined && <ErrorNotice error={error} />}
      <div class={styles.checks}>
        {ORDER_EVENTS.map((name) => (
          <label key={name} class={styles.check}>
            <input
              type="checkbox"
              checked={events.includes(name)}
              onChange={(e) => setEvents(e.currentTarget.checked ? [...events, name] : events.filter((x) => x !== name))}
            />
            {EVENT_LABELS[name]}
          </label>
        ))}
      </div>
      <div class={styles.actions}>
        {settings.notifyEventsSource === 'settings' && (
          <Button variant="ghost" disabled={busy} onClick={() => void send(null)}>
            Use the default events
          </Button>
        )}
        <Button type="submit" variant="primary" busy={busy}>
          Save events
        </Button>
      </div>
    </form>
  );
}

function TestMessage({ channels }: { channels: Channel[] }) {
  const [channel, setChannel] = useState<Channel['name'] | undefined>(channels.at(0)?.name);
  const [to, setTo] = useState('');
  const { busy, error, notice, run } = useSubmit();
  const chosen = channels.find((c) => c.name === channel) ?? channels.at(0);
  function submit(event: Event) {
    event.preventDefault();
    if (!chosen) return;
    void run(async () => {
      const sent = await unwrap(api.POST('/admin/notifications/test', { body: { channel: chosen.name, to: to.trim() } }));
      return `Test message sent by ${chosen.label} to ${sent.to}.`;
    });
  }
  return (
    <form class={styles.subform} aria-label="Send a test message" onSubmit={submit}>
      <h3>Send a test message</h3>
      {!chosen ? (
        <p class={styles.note}>Configure a channel above to send a test message through it.</p>
      ) : (
        <>
          <p class={styles.note}>Sends the order-confirmed message of a made-up order TEST-0001, now, to the address you give.</p>
          {notice && (
            <p class={styles.done} role="status">
              {notice}
            </p>
          )}
          {error !== undefined && <ErrorNotice error={error} />}
          <div class={styles.inline}>
            <label class={styles.select}>
              <span>Channel</span>
              <select value={chosen.name} onChange={(e) => setChannel(e.currentTarget.value as Channel['name'])}>
                {channels.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
            <Field
              label="Send to"
              required
              type={chosen.name === 'email' ? 'email' : 'tel'}
              placeholder={chosen.name === 'email' ? 'you@brand.example' : '+91 98123 45678'}
              value={to}
              onInput={(e) => setTo(e.currentTarget.value)}
              error={fieldError(error, 'to') ?? fieldError(error, 'channel')}
            />
            <Button type="submit" variant="primary" busy={busy}>
              Send test message
            </Button>
          </div>
        </>
      )}
    </form>
  );
}
