import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where the generated secret is kept, inside the data directory (EMBEDDED_PG_DIR, default .data). */
export const JWT_SECRET_FILE = 'jwt-secret';

let warned = false;

const generate = () => randomBytes(48).toString('base64url');

/**
 * JWT_SECRET for an install that did not set one outside production: generated at random on first start and kept in
 * the data directory (mode 0600), so tokens survive restarts and every process of the install agrees, while no two
 * installs share a secret (a constant in the code would let anyone forge tokens for any install that kept the
 * default). If the file cannot be written, the secret is this process's alone (tokens end with it), with a warning.
 */
export function developmentJwtSecret(dataDir: string): string {
  const file = path.join(dataDir, JWT_SECRET_FILE);
  let secret: string;
  let where: string;
  try {
    secret = readOrCreate(file);
    where = `the secret generated for this install in ${file}`;
  } catch (error) {
    secret = generate();
    where =
      `a secret generated for this process only (${file}: ` +
      `${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); tokens end with it`;
  }
  if (!warned) {
    warned = true;
    // On stderr, before any logger exists: operator commands keep their stdout for their own answers.
    process.stderr.write(`Warning: JWT_SECRET is not set: signing tokens with ${where}. Set JWT_SECRET (production requires it).\n`);
  }
  return secret;
}

function readOrCreate(file: string): string {
  const existing = readSecret(file);
  if (existing) return existing;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written aside, then linked into place: a concurrent first start of another process either wins or reads ours whole.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  const created = readSecret(file);
  if (!created) throw new Error(`${file} does not hold a generated secret`);
  return created;
}

function readSecret(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const secret = text.trim();
  if (secret.length < 32) throw new Error(`${file} does not hold a generated secret; delete it to generate a new one`);
  return secret;
}
