// Runs `prisma generate` offline. The client uses the JS query compiler + pg driver adapter, so it needs no
// engine binaries; pointing these variables at an existing file stops the CLI from trying to download them.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
if (result.status === 0 && (!args.length || args[0] === 'generate')) readWasmFromFile();
process.exit(result.status ?? 1);

/**
 * The generated client loads the query compiler's wasm by importing a module that is one 2.5 MB base64 string: the
 * module's source and the string stay in the heap for the life of the process (5 MB of an idle instance's RSS). Read
 * from the same file instead, both are garbage once the wasm is compiled. Left as generated (with a warning) if a
 * Prisma release generates something else.
 */
function readWasmFromFile() {
  const file = fileURLToPath(new URL('../src/generated/prisma/internal/class.ts', import.meta.url));
  if (!existsSync(file)) return;
  const generated = readFileSync(file, 'utf8');
  const load = /const \{ wasm \} = await import\("@prisma\/client\/(runtime\/query_compiler_bg\.\w+\.wasm-base64\.mjs)"\)/;
  const found = load.exec(generated);
  if (!found) {
    if (!generated.includes('wasmFromFile'))
      console.warn('generate-client: the wasm import was not found; the client loads it as generated');
    return;
  }
  const replacement = [
    "const wasmFromFile = await import('node:fs/promises').then(async ({ readFile }) => {",
    "      const { createRequire } = await import('node:module')",
    "      const path = await import('node:path')",
    "      const root = path.dirname(createRequire(import.meta.url).resolve('@prisma/client/package.json'))",
    `      return readFile(path.join(root, '${found[1]}'), 'utf8')`,
    '    })',
    "    const wasm = wasmFromFile.slice(wasmFromFile.indexOf('\"') + 1, wasmFromFile.lastIndexOf('\"'))",
  ].join('\n');
  writeFileSync(file, generated.replace(load, replacement));
}
