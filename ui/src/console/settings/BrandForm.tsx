import { ApiError } from '@orderline/client';
import { useState } from 'preact/hooks';
import { Button } from '../../components/Button.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { Field } from '../../components/Field.js';
import styles from '../Page.module.css';
import type { Settings, SettingsPatch } from './SettingsPage.js';

const CURRENCIES = Intl.supportedValuesOf('currency');
const blankToNull = (text: string) => (text.trim() ? text.trim() : null);

/** Brand name, logo, colour, support contact, currency, reservation time, low-stock threshold and the COD risk rule. */
export function BrandForm({ settings, save }: { settings: Settings; save: (patch: SettingsPatch) => Promise<Settings> }) {
  const [form, setForm] = useState({
    brandName: settings.brandName,
    logoUrl: settings.logoUrl ?? '',
    brandColor: settings.brandColor ?? '#3b4ed8',
    supportEmail: settings.supportEmail ?? '',
    supportPhone: settings.supportPhone ?? '',
    defaultCurrency: settings.defaultCurrency,
    reservationMinutes: settings.reservationTtlSeconds ? String(settings.reservationTtlSeconds / 60) : '',
    lowStockThreshold: settings.lowStockThreshold === null ? '' : String(settings.lowStockThreshold),
    codRtoBlockThreshold: settings.codRtoBlockThreshold === null ? '' : String(settings.codRtoBlockThreshold),
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  const set = (field: keyof typeof form) => (event: { currentTarget: { value: string } }) => {
    setSaved(false);
    setForm({ ...form, [field]: event.currentTarget.value });
  };
  const fieldError = (field: string) =>
    error instanceof ApiError ? error.fieldErrors.find((f) => f.field === field)?.errors.join('; ') : undefined;

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await save({
        brandName: form.brandName.trim(),
        logoUrl: blankToNull(form.logoUrl),
        brandColor: form.brandColor,
        supportEmail: blankToNull(form.supportEmail),
        supportPhone: blankToNull(form.supportPhone),
        defaultCurrency: form.defaultCurrency,
        reservationTtlSeconds: form.reservationMinutes ? Math.round(Number(form.reservationMinutes) * 60) : null,
        lowStockThreshold: form.lowStockThreshold ? Number(form.lowStockThreshold) : null,
        codRtoBlockThreshold: form.codRtoBlockThreshold ? Number(form.codRtoBlockThreshold) : null,
      });
      setSaved(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class={styles.card} onSubmit={(e) => void submit(e)} aria-labelledby="brand-title">
      <h2 id="brand-title">Brand</h2>
      {saved && (
        <p class={styles.done} role="status">
          Brand settings saved.
        </p>
      )}
      {error !== undefined && <ErrorNotice error={error} />}
      <div class={styles.fields}>
        <Field
          label="Brand name"
          required
          maxLength={100}
          value={form.brandName}
          onInput={set('brandName')}
          error={fieldError('brandName')}
        />
        <Field
          label="Logo URL"
          hint="https://… or a path on this site (/media/…)"
          value={form.logoUrl}
          onInput={set('logoUrl')}
          error={fieldError('logoUrl')}
        />
        <Field label="Brand colour" type="color" value={form.brandColor} onInput={set('brandColor')} error={fieldError('brandColor')} />
        <Field
          label="Support email"
          type="email"
          value={form.supportEmail}
          onInput={set('supportEmail')}
          error={fieldError('supportEmail')}
        />
        <Field
          label="Support phone"
          type="tel"
          value={form.supportPhone}
          onInput={set('supportPhone')}
          error={fieldError('supportPhone')}
        />
        <label class={styles.select}>
          <span>Currency</span>
          <select value={form.defaultCurrency} onChange={set('defaultCurrency')}>
            {CURRENCIES.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </label>
        <Field
          label="Reservation time (minutes)"
          type="number"
          min={1}
          max={1440}
          step="any"
          hint={`How long checkout holds stock for an unpaid order. Empty: the server default (${Math.round(settings.effectiveReservationTtlSeconds / 60)} min now)`}
          value={form.reservationMinutes}
          onInput={set('reservationMinutes')}
          error={fieldError('reservationTtlSeconds')}
        />
        <Field
          label="Low-stock threshold"
          type="number"
          min={0}
          hint="For new variants that set none. Empty: 5"
          value={form.lowStockThreshold}
          onInput={set('lowStockThreshold')}
          error={fieldError('lowStockThreshold')}
        />
        <Field
          label="Refuse cash on delivery after (returns to origin)"
          type="number"
          min={1}
          max={1000}
          hint="A phone with this many parcels returned to origin must pay online. Empty: never refuse"
          value={form.codRtoBlockThreshold}
          onInput={set('codRtoBlockThreshold')}
          error={fieldError('codRtoBlockThreshold')}
        />
      </div>
      <div class={styles.actions}>
        <Button type="submit" variant="primary" busy={busy}>
          Save brand settings
        </Button>
      </div>
    </form>
  );
}
