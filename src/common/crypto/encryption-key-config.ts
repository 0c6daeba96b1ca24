import { extendEnvironment } from '../../config/environment-extensions.js';
import { developmentEncryptionKey, KEY_ID_PATTERN, keyFingerprint, parseEncryptionKey, type EncryptionKey } from './secret-box.js';

interface KeyConfig {
  NODE_ENV: string;
  ENCRYPTION_KEY?: string;
  ENCRYPTION_KEYS?: string;
}

type KeyRingResult = { keys: EncryptionKey[]; development: boolean; problems: string[] };

const FORMAT = '32 random bytes as base64 or hex: `openssl rand -base64 32`';

/**
 * The key ring the configuration describes: ENCRYPTION_KEYS (`id:key,id:key`, the first one encrypts, all decrypt),
 * else ENCRYPTION_KEY as a ring of one (known by its fingerprint, as before key rings), else outside production the
 * derived development key. Problems are returned one line each, never with key material.
 */
export function readKeyRing(config: KeyConfig): KeyRingResult {
  const production = config.NODE_ENV === 'production';
  const problems: string[] = [];
  if (config.ENCRYPTION_KEYS && config.ENCRYPTION_KEY) {
    return {
      keys: [],
      development: false,
      problems: ['ENCRYPTION_KEY and ENCRYPTION_KEYS: set one of them (put the old ENCRYPTION_KEY into ENCRYPTION_KEYS as an older entry)'],
    };
  }
  let keys: EncryptionKey[] = [];
  if (config.ENCRYPTION_KEYS) {
    const entries = config.ENCRYPTION_KEYS.split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    if (!entries.length) problems.push('ENCRYPTION_KEYS: no keys; expected id:key[,id:key...] with the newest first');
    entries.forEach((entry, index) => {
      const separator = entry.indexOf(':');
      const id = separator > 0 ? entry.slice(0, separator).trim() : '';
      const key = separator > 0 ? parseEncryptionKey(entry.slice(separator + 1)) : undefined;
      const where = `ENCRYPTION_KEYS entry ${index + 1}`;
      if (!KEY_ID_PATTERN.test(id)) problems.push(`${where}: expected <id>:<key> with an id of 1-32 letters, digits, _ or -`);
      else if (!key) problems.push(`${where} (${id}): the key must be ${FORMAT}`);
      else if (keys.some((k) => k.id === id)) problems.push(`${where}: key id ${id} appears twice`);
      else if (keys.some((k) => k.key.equals(key))) problems.push(`${where} (${id}): the same key is listed twice`);
      else keys.push({ id, key, named: true });
    });
  } else if (config.ENCRYPTION_KEY) {
    const key = parseEncryptionKey(config.ENCRYPTION_KEY);
    if (!key) problems.push('ENCRYPTION_KEY: must be 32 bytes encoded as 64 hex characters or base64');
    else keys = [{ id: keyFingerprint(key), key, named: false }];
  } else if (production) {
    problems.push(`ENCRYPTION_KEY: required in production (or ENCRYPTION_KEYS; ${FORMAT})`);
  } else {
    const key = developmentEncryptionKey();
    return { keys: [{ id: keyFingerprint(key), key, named: false }], development: true, problems };
  }
  if (production && keys.some((k) => k.key.equals(developmentEncryptionKey()))) {
    problems.push(`${config.ENCRYPTION_KEYS ? 'ENCRYPTION_KEYS' : 'ENCRYPTION_KEY'}: the development key cannot be used in production`);
  }
  return { keys: problems.length ? [] : keys, development: false, problems };
}

/** Start-up checks for ENCRYPTION_KEY / ENCRYPTION_KEYS (see readKeyRing). */
export function checkEncryptionKey(config: KeyConfig): string[] {
  return readKeyRing(config).problems;
}

extendEnvironment('encryption', { check: (config) => checkEncryptionKey(config as unknown as KeyConfig) });
