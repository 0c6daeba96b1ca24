import { Injectable } from '@nestjs/common';
import type { CredentialFields } from '../settings/credential-catalogue.js';
import { SettingsService } from '../settings/settings.service.js';
import { PaymentCredentialsSource } from './payment-credentials.js';

/**
 * Provider credentials as admins set them in /admin/settings, each field falling back to its environment variable.
 * Read on every provider call (through the settings cache), so a key change applies to the next checkout and webhook.
 */
@Injectable()
export class SettingsPaymentCredentialsSource extends PaymentCredentialsSource {
  constructor(private readonly settings: SettingsService) {
    super();
  }

  async of(provider: string, fields: CredentialFields): Promise<Record<string, string | undefined> | undefined> {
    const names = Object.keys(fields);
    const values = await Promise.all(names.map((field) => this.settings.credential(provider, field)));
    const credentials = Object.fromEntries(names.map((field, i) => [field, values[i]]));
    return names.every((field, i) => values[i] || fields[field].required === false) ? credentials : undefined;
  }
}
