import type { Type as Class } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsOptionalNonNull } from '../../common/http/validation.js';
import {
  CREDENTIAL_GROUPS,
  catalogueVersion,
  credentialFields,
  credentialProviders,
  type CredentialGroup,
} from '../credential-catalogue.js';

const SECRET_MAX = 512;

export class CredentialStatus {
  @ApiProperty({ description: 'Whether a value is in effect (from settings or the environment)' }) set!: boolean;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'x9Qz', description: 'Last 4 characters of the value in effect' }) last4!:
    string | null;
  @ApiPropertyOptional({
    nullable: true,
    enum: ['settings', 'environment'],
    description: 'Where the value in effect comes from: settings override the environment variable',
  })
  source!: 'settings' | 'environment' | null;
}

/** A provider whose credentials the settings hold: its key in `credentials`, its name in words and what it is for. */
export class CredentialProviderInfo {
  @ApiProperty({ example: 'stripe' }) name!: string;
  @ApiProperty({ example: 'Stripe' }) label!: string;
  @ApiProperty({ enum: CREDENTIAL_GROUPS, enumName: 'CredentialGroup' }) group!: CredentialGroup;
}

/** provider → field → a value to set, or null to clear it. */
export type CredentialsInput = Record<string, Record<string, string | null | undefined> | undefined>;
/** provider → field → its status. */
export type CredentialsStatus = Record<string, Record<string, CredentialStatus>>;

/** A class with no members yet, named for Swagger's schema: the decorators below give it its properties. */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- filled in by decorators, as a DTO written by hand would be
const emptyClass = (name: string): Class => Object.defineProperty(class {}, 'name', { value: name });
const pascal = (name: string) => name.replace(/(^|[_-])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());
const decorate = (cls: Class, key: string, ...decorators: PropertyDecorator[]) => {
  for (const decorator of decorators) decorator(cls.prototype as object, key);
};

let built: { version: number; input: Class; status: Class } | undefined;

/**
 * The request and response classes of `credentials`, one nested class per provider (StripeCredentialsInput, ...), built
 * from the credential catalogue the first time they are needed and again when it changes. class-transformer and
 * Swagger ask for them lazily, so they see every provider registered before the app handles its first request.
 */
function credentialClasses(): { input: Class; status: Class } {
  if (built?.version === catalogueVersion()) return built;
  const input = emptyClass('CredentialsInput');
  const status = emptyClass('CredentialsStatus');
  for (const provider of credentialProviders()) {
    const providerInput = emptyClass(`${pascal(provider)}CredentialsInput`);
    const providerStatus = emptyClass(`${pascal(provider)}CredentialsStatus`);
    for (const [field, spec] of Object.entries(credentialFields(provider))) {
      decorate(
        providerInput,
        field,
        ApiPropertyOptional({ nullable: true, type: String, example: spec.example, description: `${spec.description}; null clears it` }),
        IsOptional(),
        IsString(),
        MaxLength(SECRET_MAX),
        ...(spec.pattern ? [Matches(spec.pattern, { message: spec.message ?? `${field} is not a valid ${provider} ${field}` })] : []),
      );
      decorate(providerStatus, field, ApiProperty({ type: CredentialStatus }));
    }
    decorate(
      input,
      provider,
      ApiPropertyOptional({ type: providerInput }),
      IsOptionalNonNull(),
      IsObject(),
      ValidateNested(),
      Type(() => providerInput),
    );
    decorate(status, provider, ApiProperty({ type: providerStatus }));
  }
  built = { version: catalogueVersion(), input, status };
  return built;
}

export const credentialsInputClass = () => credentialClasses().input;
export const credentialsStatusClass = () => credentialClasses().status;
