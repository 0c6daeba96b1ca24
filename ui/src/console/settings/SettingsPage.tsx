import { unwrap, type Schemas } from '@orderline/client';
import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { useAsync } from '../../lib/use-async.js';
import { api } from '../session.js';
import { BrandForm } from './BrandForm.js';
import { CredentialsSection } from './Credentials.js';
import { NotificationSettingsSection } from './NotificationSettings.js';
import { Deliveries } from './Deliveries.js';
import { WebhookEndpoints } from './WebhookEndpoints.js';
import styles from '../Page.module.css';

export type Settings = Schemas['SettingsResponse'];
export type SettingsPatch = Schemas['UpdateSettingsDto'];

/**
 * Brand settings, payment and carrier credentials, customer notifications (each section saves on its own), then where
 * events are delivered: webhook endpoints with their recent deliveries, and failed deliveries to retry.
 */
export function SettingsPage() {
  const loaded = useAsync(() => unwrap(api.GET('/admin/settings')), []);
  const [settings, setSettings] = useState<Settings>();
  useEffect(() => setSettings(loaded.data), [loaded.data]);
  const save = async (patch: SettingsPatch) => {
    const next = await unwrap(api.PATCH('/admin/settings', { body: patch }));
    setSettings(next);
    return next;
  };
  return (
    <div class={styles.page}>
      <div class={styles.head}>
        <h1>Settings</h1>
      </div>
      {loaded.error !== undefined && <ErrorNotice error={loaded.error} onRetry={loaded.reload} />}
      {!settings ? (
        loaded.loading && <div class={styles.card} aria-busy="true" />
      ) : (
        <>
          <BrandForm settings={settings} save={save} />
          <CredentialsSection settings={settings} save={save} group="payments" title="Payment credentials" />
          <CredentialsSection settings={settings} save={save} group="shipping" title="Shipping carriers" />
          <NotificationSettingsSection settings={settings} save={save} />
          <WebhookEndpoints />
          <Deliveries />
        </>
      )}
    </div>
  );
}
