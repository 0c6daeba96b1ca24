import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './helpers.js';

/** The repository root (where dist/main.js is), whatever directory the test runner or benchmark was started from. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The environment the app starts from unless `baseEnv` says otherwise: nothing of the caller's but PATH, HOME and the
 * run's JWT_SECRET (so tokens the tests sign are the app's, and no app writes a generated one into the repository).
 */
export const MINIMAL_APP_ENV: Readonly<NodeJS.ProcessEnv> = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  JWT_SECRET: process.env.JWT_SECRET,
  NODE_ENV: 'test',
  SCHEDULER_ENABLED: 'false',
  SEED_DEMO_DATA: 'false',
  LOG_LEVEL: 'warn',
  LOG_REQUESTS: 'false',
  RATE_LIMIT_ENABLED: 'false',
  BCRYPT_ROUNDS: '4',
};

const LOCK = path.join(os.tmpdir(), `orderline-build-${createHash('sha1').update(REPO_ROOT).digest('hex').slice(0, 10)}.lock`);

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
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
  for (const started = Date.now(); ;) {
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

/**
 * The V8 flags the app ships with: the Dockerfile's CMD, `npm start` and `npm run start:prod` pass the same (a test
 * checks). A young generation of 2 × 8 MB instead of V8's 2 × 16 MB: an idle instance keeps all of it resident, and
 * under load the smaller one measured no dearer in CPU per checkout (README "Capacity").
 */
export const APP_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

export interface AppProcessOptions {
  databaseUrl: string;
  /** The environment to start from (default MINIMAL_APP_ENV); DATABASE_URL, then `env`, then PORT go on top. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Extra environment for the app (provider settings, TTLs...). */
  env?: Record<string, string>;
  /** Seconds to wait for /health to answer 200. */
  startTimeoutSeconds?: number;
  /** Extra node flags, e.g. --cpu-prof (workers inherit them). */
  nodeArgs?: string[];
  /** WEB_CONCURRENCY: worker processes behind the port (default: the app's default, one process). */
  workers?: number;
  /**
   * 'all' keeps every output line (for tests that read the logs); 'tail' (the default) keeps about the last 100-200k
   * characters, enough for failure messages and bounded however long the app runs under load.
   */
  keepOutput?: 'all' | 'tail';
}

/** How a process ended: its exit code, or the name of the signal that ended it. */
export type ExitValue = number | NodeJS.Signals | null;

const TAIL_LIMIT = 200_000;
const TAIL_KEEP = 100_000;

const parseJson = (line: string) => {
  try {
    return JSON.parse(line) as Record<string, any>;
  } catch {
    return undefined;
  }
};

/** The child processes of `pid` (Linux /proc; none elsewhere or once it ended). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * The built app (`node dist/main.js`, exactly what ships) as a child process. Used where the test or benchmark
 * must not share the app's event loop, must send it real signals (SIGTERM, SIGKILL), read its stdout logs, or run
 * several instances. The one place that spawns the app; `startAppProcess` gives it the e2e tests' environment.
 */
export class AppProcess {
  readonly baseUrl: string;
  private current?: ChildProcess;
  private outputLines: string[] = [];
  private outputChars = 0;
  private exitPromise?: Promise<ExitValue>;
  /** undefined while the current process runs (or before the first launch). */
  private exitValue: ExitValue | undefined;
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly port: number,
    private readonly options: AppProcessOptions,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  static async start(options: AppProcessOptions, port?: number): Promise<AppProcess> {
    const app = new AppProcess(port ?? (await freePort()), options);
    await app.launch();
    return app;
  }

  get child(): ChildProcess {
    if (!this.current) throw new Error('app process was never launched');
    return this.current;
  }

  get pid(): number {
    if (!this.current?.pid) throw new Error('app process is not running');
    return this.current.pid;
  }

  /** The worker processes of a primary (WEB_CONCURRENCY above 1): its child processes running node (Linux /proc). */
  workerPids(): number[] {
    return childPids(this.pid).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath;
      } catch {
        return false;
      }
    });
  }

  /** Whether the process is still running (a crash under load is a failure in itself). */
  get alive(): boolean {
    return !!this.current && this.current.exitCode === null && this.current.signalCode === null;
  }

  /**
   * Resolves with the exit code (or the signal name) once the current process has ended and its output has been
   * read to the end.
   */
  get exited(): Promise<ExitValue> {
    if (!this.exitPromise) throw new Error('app process was never launched');
    return this.exitPromise;
  }

  /** The stdout/stderr lines of the current process, in order (all of them, or the tail: see `keepOutput`). */
  get lines(): string[] {
    return this.outputLines;
  }

  /** Everything (or the tail) the process wrote to stdout and stderr, for failure messages. */
  get log(): string {
    return this.outputLines.join('\n');
  }

  /** The JSON lines of the output (the app's log records). */
  logs(): Record<string, any>[] {
    return this.outputLines.map(parseJson).filter((l): l is Record<string, any> => !!l);
  }

  /** The first log record `match` accepts, waiting for it if need be; rejects if the process ends first. */
  waitForLog(match: (line: Record<string, any>) => boolean, timeoutMs = 30_000): Promise<Record<string, any>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.logs().find(match);
        if (found) {
          done(() => resolve(found));
          return;
        }
        if (this.exitValue !== undefined)
          done(() => reject(new Error(`App exited (${this.exitValue}) before the expected log line:\n${this.log}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`Timed out waiting for a log line:\n${this.log}`))), timeoutMs);
      const done = (finish: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        finish();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Starts the process (again, after it ended: same port and settings) and waits until /health answers 200. */
  async launch(): Promise<void> {
    if (this.current && this.exitValue === undefined) throw new Error('app process is still running');
    const env: NodeJS.ProcessEnv = {
      ...(this.options.baseEnv ?? MINIMAL_APP_ENV),
      DATABASE_URL: this.options.databaseUrl,
      ...this.options.env,
      ...(this.options.workers && { WEB_CONCURRENCY: String(this.options.workers) }),
      PORT: String(this.port),
    };
    this.outputLines = [];
    this.outputChars = 0;
    this.exitValue = undefined;
    const child = spawn(process.execPath, [...APP_NODE_FLAGS, ...(this.options.nodeArgs ?? []), 'dist/main.js'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.current = child;
    this.collect(child, child.stdout);
    this.collect(child, child.stderr);
    // 'close', not 'exit': the process has ended and everything it wrote has been read.
    this.exitPromise = new Promise((resolve) =>
      child.once('close', (code, signal) => {
        resolve(code ?? signal);
        if (child !== this.current) return;
        this.exitValue = code ?? signal;
        this.notify();
      }),
    );
    const timeoutSeconds = this.options.startTimeoutSeconds ?? 60;
    const deadline = Date.now() + timeoutSeconds * 1000;
    while (Date.now() < deadline) {
      if (this.exitValue !== undefined) throw new Error(`app exited with ${this.exitValue} while starting:\n${this.log}`);
      try {
        const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`app did not become healthy within ${timeoutSeconds}s:\n${this.log}`);
  }

  /** Sends `signal` (if the process still runs) and resolves once it has ended. No escalation. */
  async signal(signal: NodeJS.Signals): Promise<ExitValue> {
    if (!this.current || !this.exitPromise) return null;
    if (this.exitValue === undefined) this.current.kill(signal);
    return this.exitPromise;
  }

  /** The crash: no shutdown hooks, no draining, open transactions die with their connections. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** Graceful stop (SIGTERM); SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 10_000): Promise<ExitValue> {
    if (this.exitValue !== undefined || !this.exitPromise) return this.exitValue ?? null;
    const timer = setTimeout(() => this.current?.kill('SIGKILL'), graceMs);
    try {
      return await this.signal('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Splits `stream` into lines (a line cut between two chunks is kept whole), for as long as `child` is current. */
  private collect(child: ChildProcess, stream: NodeJS.ReadableStream): void {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      if (child !== this.current) return;
      pending += chunk;
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete) this.keep(line);
      this.notify();
    });
    stream.once('end', () => {
      if (child !== this.current) return;
      this.keep(pending);
      this.notify();
    });
  }

  private keep(line: string): void {
    if (!line) return;
    this.outputLines.push(line);
    this.outputChars += line.length + 1;
    if ((this.options.keepOutput ?? 'tail') === 'all' || this.outputChars <= TAIL_LIMIT) return;
    let drop = 0;
    while (this.outputChars > TAIL_KEEP && drop < this.outputLines.length - 1) this.outputChars -= this.outputLines[drop++].length + 1;
    this.outputLines.splice(0, drop);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

/**
 * `node dist/main.js` with the e2e tests' environment (all of this process's, so the scratch DATABASE_URL...) plus
 * `env`, keeping every output line, on a free port; resolves once it answers GET /health. Call `buildApp` first.
 */
export function startAppProcess(env: Record<string, string> = {}): Promise<AppProcess> {
  return AppProcess.start({
    databaseUrl: process.env.DATABASE_URL!,
    baseEnv: { ...process.env, SEED_DEMO_DATA: 'false', LOG_LEVEL: 'info' },
    env,
    keepOutput: 'all',
  });
}
