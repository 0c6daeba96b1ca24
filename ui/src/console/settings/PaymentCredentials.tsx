import { useState } from 'preact/hooks';
import { Button } from '../../components/Button.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { PROVIDER } from '../orders/labels.js';
import styles from '../Page.module.css';
import type { Settings, SettingsPatch } from './SettingsPage.js';

interface CredentialStatus {
  set: boolean;
  last4?: string | null;
  source: 'settings' | 'environment' | null;
}

/** "secretKey" → "Secret key". */
const label = (field: string) => {
  const words = field.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** What staff may know of a stored secret: whether it is set, where from, and its last 4 characters. */
export function describeCredential(status: CredentialStatus): string {
  if (!status.set) return 'Not set';
  const ending = status.last4 ? `, ending ${status.last4}` : '';
  return status.source === 'environment' ? `Set in the server environment${ending}` : `Set${ending}`;
}

/**
 * Payment provider credentials: write-only. The API never returns a stored value, only "set, ending 1234"; a new
 * value replaces the old one (the settings override the server's environment variable).
 */
export function PaymentCredentials({ settings, save }: { settings: Settings; save: (patch: SettingsPatch) => Promise<Settings> }) {
  const providers = Object.entries(settings.credentials as unknown as Record<string, Record<string, CredentialStatus>>);
  return (
    <section class={styles.card} aria-labelledby="credentials-title">
      <h2 id="credentials-title">Payment credentials</h2>
      <p class={styles.note}>Stored encrypted. Only the last 4 characters are ever shown; type a new value to replace one.</p>
      {providers.map(([provider, fields]) => (
        <fieldset key={provider} class={styles.credentials}>
          <legend>{PROVIDER[provider.toUpperCase()] ?? provider}</legend>
          {Object.entries(fields).map(([field, status]) => (
            <CredentialRow key={field} provider={provider} field={field} status={status} save={save} />
          ))}
        </fieldset>
      ))}
    </section>
  );
}

function CredentialRow({
  provider,
  field,
  status,
  save,
}: {
  provider: string;
  field: string;
  status: CredentialStatus;
  save: (patch: SettingsPatch) => Promise<Settings>;
}) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const name = `${PROVIDER[provider.toUpperCase()] ?? provider} ${label(field).toLowerCase()}`;
  async function submit(event: Event) {
    event.preventDefault();
    if (!value.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      await save({ credentials: { [provider]: { [field]: value.trim() } } });
      setValue('');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  const id = `credential-${provider}-${field}`;
  return (
    <form class={styles.credential} onSubmit={(e) => void submit(e)}>
      <label for={id}>{label(field)}</label>
      <span class={styles.credentialState} data-testid={id}>
        {describeCredential(status)}
      </span>
      <input
        id={id}
        type="password"
        autoComplete="off"
        spellcheck={false}
        aria-label={`New ${name}`}
        placeholder={status.set ? 'Replace with…' : 'Set to…'}
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
      />
      <Button type="submit" size="small" busy={busy} disabled={!value.trim()}>
        Save
      </Button>
      {error !== undefined && <ErrorNotice error={error} />}
    </form>
  );
}
