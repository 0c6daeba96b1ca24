// Runs `prisma generate` offline. The client uses the JS query compiler + pg driver adapter, so it needs no
// engine binaries; pointing these variables at an existing file stops the CLI from trying to download them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const schema = fileURLToPath(new URL('./schema.prisma', import.meta.url));
const env = {
  ...process.env,
  PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? schema,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? schema,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const cli = path.resolve('node_modules/prisma/build/index.js');
const args = process.argv.slice(2);
if (!existsSync(cli)) {
  // The CLI is a development dependency: a production install (npm ci --omit=dev) runs the compiled app, whose
  // client was generated and compiled at build time, so there is nothing to generate.
  if (!args.length || (args.length === 1 && args[0] === 'generate')) {
    console.log('Prisma CLI not installed (production install): the compiled app needs no prisma generate');
    process.exit(0);
  }
  console.error('The Prisma CLI is not installed (a production install?): run npm install with development dependencies');
  process.exit(1);
}
const result = spawnSync(process.execPath, [cli, ...(args.length ? args : ['generate'])], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
