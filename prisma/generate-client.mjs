// Runs `prisma generate` offline. The client uses the JS query compiler + pg driver adapter, so it needs no
// engine binaries; pointing these variables at an existing file stops the CLI from trying to download them.
import { spawnSync } from 'node:child_process';
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
const result = spawnSync(process.execPath, [cli, ...(process.argv.slice(2).length ? process.argv.slice(2) : ['generate'])], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
