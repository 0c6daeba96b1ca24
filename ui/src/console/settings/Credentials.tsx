import { useState } from 'preact/hooks';
import { Button } from '../../components/Button.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import styles from '../Page.module.css';
import type { Settings, SettingsPatch } from './SettingsPage.js';

export interface CredentialStatus {
  set: boolean;
  last4?: string | null;
  source: 'settings' | 'environment' | null;
}

/** "secretKey" → "Secret key". */
export const fieldLabel = (field: string) => {
  const words = field.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** What staff may know of a stored secret: whether it is set, where from, and its last 4 characters. */
export function describeCredential(status: CredentialStatus): string {
  if (!status.set) return 'Not set';
  const ending = status.last4 ? `, ending ${status.last4}` : '';
  return status.source === 'environment' ? `Set in the server environment${ending}` : `Set${ending}`;
}

type Group = Settings['credentialProviders'][number]['group'];

/**
 * The credentials of one group of providers (payment providers, carriers), write-only. The API never returns a stored
 * value, only "set, ending 1234"; a new value replaces the old one (the settings override the server's environment
 * variable).
 */
export function CredentialsSection({
  settings,
  save,
  group,
  title,
}: {
  settings: Settings;
  save: (patch: SettingsPatch) => Promise<Settings>;
  group: Group;
  title: string;
}) {
  const statuses = settings.credentials as unknown as Record<string, Record<string, CredentialStatus> | undefined>;
  const providers = settings.credentialProviders.filter((p) => p.group === group);
  if (!providers.length) return null;
  const id = `credentials-${group}-title`;
  return (
    <section class={styles.card} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p class={styles.note}>Stored encrypted. Only the last 4 characters are ever shown; type a new value to replace one.</p>
      {providers.map((provider) => (
        <fieldset key={provider.name} class={styles.credentials}>
          <legend>{provider.label}</legend>
          {Object.entries(statuses[provider.name] ?? {}).map(([field, status]) => (
            <CredentialRow key={field} provider={provider.name} label={provider.label} field={field} status={status} save={save} />
          ))}
        </fieldset>
      ))}
    </section>
  );
}

function CredentialRow({
  provider,
  label: providerLabel,
  field,
  status,
  save,
}: {
  provider: string;
  label: string;
  field: string;
  status: CredentialStatus;
  save: (patch: SettingsPatch) => Promise<Settings>;
}) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const name = `${providerLabel} ${fieldLabel(field).toLowerCase()}`;
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
      <label for={id}>{fieldLabel(field)}</label>
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
