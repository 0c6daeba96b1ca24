import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppProcess as ChildApp, REPO_ROOT, type ExitValue } from '../stress/support/app-process.js';

/**
 * The production entry point (node dist/main.js) as a child process, for what an in-process app cannot show:
 * signals, stdout logging, several instances. `npm run build` runs first, one file at a time (a lock directory
 * keeps parallel test files from writing dist/ together). The process itself is test/stress/support/app-process.ts's
 * AppProcess; this file gives it the e2e tests' environment and interface.
 */

const ROOT = REPO_ROOT;
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

/** Takes the build lock (waiting for another test file's build to finish); resolves with its release. */
async function acquireBuildLock(): Promise<() => void> {
  for (const started = Date.now(); ; ) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return () => rmSync(LOCK, { recursive: true, force: true });
    } catch {
      if (!lockHolderAlive() && Date.now() - started > 2_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() - started > 180_000) throw new Error(`Timed out waiting for the build lock ${LOCK}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** `npm run build` (incremental, so a second file's build is quick). Fails the test with the compiler output. */
export async function buildApp(): Promise<void> {
  (await buildAppAndHold())();
}

/**
 * `npm run build`, then no other test file may build until `release()` is called: for tests that read dist/public,
 * which every build empties and writes anew.
 */
export async function buildAppAndHold(): Promise<() => void> {
  const release = await acquireBuildLock();
  try {
    const { code, output } = await run('npm', ['run', 'build', '--silent']);
    if (code !== 0) throw new Error(`npm run build failed:\n${output}`);
    return release;
  } catch (error) {
    release();
    throw error;
  }
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
  exited: Promise<ExitValue>;
  /** Sends `signal` (SIGTERM by default) and resolves with how the process ended; no SIGKILL escalation. */
  stop(signal?: NodeJS.Signals): Promise<ExitValue>;
}

/**
 * Starts `node dist/main.js` on a free port with the test environment (all of this process's, so the scratch
 * DATABASE_URL...) plus `env`, keeping every output line, and waits until it answers GET /health.
 */
export async function startAppProcess(env: Record<string, string> = {}): Promise<AppProcess> {
  const app = await ChildApp.start({
    databaseUrl: process.env.DATABASE_URL!,
    baseEnv: { ...process.env, SEED_DEMO_DATA: 'false', LOG_LEVEL: 'info' },
    env,
    keepOutput: 'all',
  });
  return {
    port: app.port,
    url: app.baseUrl,
    child: app.child,
    output: app.lines,
    logs: () => app.logs(),
    waitForLog: (match, timeoutMs) => app.waitForLog(match, timeoutMs),
    exited: app.exited,
    stop: (signal = 'SIGTERM') => app.signal(signal),
  };
}
