import { developmentEncryptionKey, parseEncryptionKey } from './secret-box.js';

/** Start-up checks for ENCRYPTION_KEY: well-formed when set, and set (not the development key) in production. */
export function checkEncryptionKey(config: { NODE_ENV: string; ENCRYPTION_KEY?: string }): string[] {
  if (!config.ENCRYPTION_KEY) {
    return config.NODE_ENV === 'production' ? ['ENCRYPTION_KEY: required in production (32 random bytes as base64 or hex: `openssl rand -base64 32`)'] : [];
  }
  const key = parseEncryptionKey(config.ENCRYPTION_KEY);
  if (!key) return ['ENCRYPTION_KEY: must be 32 bytes encoded as 64 hex characters or base64'];
  if (config.NODE_ENV === 'production' && key.equals(developmentEncryptionKey())) return ['ENCRYPTION_KEY: the development key cannot be used in production'];
  return [];
}
