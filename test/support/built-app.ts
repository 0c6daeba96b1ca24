import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * The production entry point (node dist/main.js) as a child process, for what an in-process app cannot show:
 * signals, stdout logging, several instances. `npm run build` runs first, one file at a time (a lock directory
 * keeps parallel test files from writing dist/ together).
 */

const ROOT = process.cwd(); // jest runs from the repository root
const LOCK = path.join(os.tmpdir(), `orderline-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 10)}.lock`);

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

function lockHolderAlive(): boolean {
  try {
    const pid = Number(readFileSync(path.join(LOCK, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  for (const started = Date.now(); ; ) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch {
      if (!lockHolderAlive() && Date.now() - started > 2_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() - started > 180_000) throw new Error(`Timed out waiting for the build lock ${LOCK}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** `npm run build` (incremental, so a second file's build is quick). Fails the test with the compiler output. */
export async function buildApp(): Promise<void> {
  await withBuildLock(async () => {
    const { code, output } = await run('npm', ['run', 'build', '--silent']);
    if (code !== 0) throw new Error(`npm run build failed:\n${output}`);
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface AppProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** Every stdout/stderr line so far, in order. */
  output: string[];
  /** JSON log lines so far. */
  logs(): Record<string, any>[];
  waitForLog(match: (line: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string | null>;
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

const parse = (line: string) => {
  try {
    return JSON.parse(line) as Record<string, any>;
  } catch {
    return undefined;
  }
};

/**
 * Starts `node dist/main.js` on a free port with the test environment (scratch DATABASE_URL, ...) plus `env`, and
 * waits until it answers GET /health.
 */
export async function startAppProcess(env: Record<string, string> = {}): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: { ...process.env, SEED_DEMO_DATA: 'false', LOG_LEVEL: 'info', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const listeners = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream) => {
    let pending = '';
    stream.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      output.push(...lines.filter(Boolean));
      for (const notify of listeners) notify();
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => (resolve(code ?? signal), listeners.forEach((n) => n()))));
  let exitedWith: number | string | null | undefined;
  void exited.then((c) => (exitedWith = c));
  const logs = () => output.map(parse).filter((l): l is Record<string, any> => !!l);

  const waitForLog = (match: (line: Record<string, any>) => boolean, timeoutMs = 30_000) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const check = () => {
        const found = logs().find(match);
        if (found) return done(() => resolve(found));
        if (exitedWith !== undefined) done(() => reject(new Error(`App exited (${exitedWith}) before the expected log line:\n${output.join('\n')}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`Timed out waiting for a log line:\n${output.join('\n')}`))), timeoutMs);
      const done = (finish: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        finish();
      };
      listeners.add(check);
      check();
    });

  const app: AppProcess = {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    output,
    logs,
    waitForLog,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (exitedWith === undefined) child.kill(signal);
      return exited;
    },
  };
  // Ready when /health answers 200 (whatever LOG_LEVEL hides).
  for (const started = Date.now(); ; ) {
    if (exitedWith !== undefined) throw new Error(`App exited (${exitedWith}) during start:\n${output.join('\n')}`);
    const healthy = await fetch(`${app.url}/health`).then((r) => r.ok, () => false);
    if (healthy) return app;
    if (Date.now() - started > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`App did not become healthy within 60 s:\n${output.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
