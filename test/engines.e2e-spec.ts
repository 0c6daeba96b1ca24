import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

/**
 * package.json's engines range is the truth a user installs by: every package of the lockfile (what `npm ci` installs)
 * must accept the lowest release of each Node line the range admits, or npm prints EBADENGINE there (README "Node
 * versions").
 */
describe('supported Node versions', () => {
  const declared = (read('package.json') as { engines: { node: string } }).engines.node;
  const lines = declared.split('||').map((part) => semver.minVersion(part.trim())?.version ?? part);
  const packages = (read('package-lock.json') as { packages: Record<string, { engines?: { node?: unknown } | string[] }> }).packages;

  it('declares a range starting at a maintained LTS line (22 or later)', () => {
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((version) => semver.valid(version) && semver.major(version) >= 22)).toBe(true);
  });

  it.each(lines)('installs on Node %s without engine warnings from any dependency', (version) => {
    const refusing = Object.entries(packages).flatMap(([name, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      return typeof range === 'string' && !semver.satisfies(version, range) ? [`${name || '(root)'} wants node ${range}`] : [];
    });
    expect(refusing).toEqual([]);
  });
});

/** The app ships with V8 flags (APP_NODE_FLAGS): every way of starting it passes the same, so tests run what ships. */
describe('node flags of the app', () => {
  const started = (command: string) => command.includes('dist/main.js');
  const flagsOf = (command: string) => command.slice(command.indexOf('node') + 4, command.indexOf('dist/main.js')).trim();

  it('are the same in the Dockerfile, npm start, npm run start:prod and the tests', async () => {
    const { APP_NODE_FLAGS } = await import('./support/app-process.js');
    const expected = APP_NODE_FLAGS.join(' ');
    const scripts = (read('package.json') as { scripts: Record<string, string> }).scripts;
    const cmd = readFileSync(path.join(root, 'Dockerfile'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('CMD '));
    const dockerFlags = (JSON.parse(cmd?.slice(4) ?? '[]') as string[]).slice(1, -1).join(' ');
    expect({ start: flagsOf(scripts.start), startProd: flagsOf(scripts['start:prod']), docker: dockerFlags }).toEqual({
      start: expected,
      startProd: expected,
      docker: expected,
    });
    expect([scripts.start, scripts['start:prod']].every(started)).toBe(true);
  });
});
