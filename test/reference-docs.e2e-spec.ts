import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import '../src/environment.js';
import { environmentVariableNames } from '../src/config/configuration.js';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** The section of README.md from `heading` to the next level-2 heading. */
function section(readme: string, heading: string): string {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no "${heading}" section`);
  const end = readme.indexOf('\n## ', start + heading.length + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Every variable the configuration declares: the base's and every module's (each has at least one validation decorator). */
const variables = environmentVariableNames();

/** The reference sections of the README and .env.example are checked against the code, both ways. */
describe('reference documentation', () => {
  const readme = read('README.md');

  it('documents every configuration variable in the README table and in .env.example, and no variable that does not exist', () => {
    expect(variables.length).toBeGreaterThan(60);
    const table = section(readme, '## Configuration (reference)');
    const envExample = read('.env.example');
    expect(variables.filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
    expect(variables.filter((name) => !new RegExp(`^(# )?${name}=`, 'm').test(envExample))).toEqual([]);
    const documented = [...table.matchAll(/^\|([^|]*)\|/gm)].flatMap((row) =>
      [...row[1].matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]),
    );
    expect(documented.filter((name) => !variables.includes(name))).toEqual([]);
    const inExample = [...envExample.matchAll(/^(?:# )?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(inExample.filter((name) => !variables.includes(name))).toEqual([]);
  });

  it('lists every npm script in the README scripts table, and only those', () => {
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts as Record<string, string>);
    const table = section(readme, '## Scripts (reference)');
    const invocation = (name: string) => (name === 'start' || name === 'test' ? `\`npm ${name}` : `\`npm run ${name}`);
    expect(scripts.filter((name) => !table.includes(invocation(name)))).toEqual([]);
    const listed = [...table.matchAll(/`npm (?:run )?([a-z:]+)/g)].map((m) => m[1]).filter((name) => name !== 'install');
    expect(listed.filter((name) => !scripts.includes(name))).toEqual([]);
  });

  it('ships deployment files that match the README: an LTS slim image, and no demo data on Render', () => {
    const froms = [...read('Dockerfile').matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms.every((image) => /^node:(22|24)-slim$/.test(image))).toBe(true);
    const render = read('render.yaml');
    expect(render).toMatch(/key: SEED_DEMO_DATA\n\s+value: "false"/);
    expect(render).toMatch(/key: NODE_ENV\n\s+value: production/);
  });
});
