import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export interface AppProcessOptions {
  databaseUrl: string;
  /** Extra environment for the app (provider settings, TTLs...). */
  env?: Record<string, string>;
  /** Seconds to wait for /health to answer 200. */
  startTimeoutSeconds?: number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the tiny race with other processes is acceptable here). */
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

/**
 * The built app (`node dist/main.js`, exactly what ships) as a child process. Used where the test or benchmark
 * must not share the app's event loop or must kill it for real (SIGKILL).
 */
export class AppProcess {
  readonly baseUrl: string;
  private child?: ChildProcess;
  private output = '';
  private exited?: Promise<number | null>;

  private constructor(readonly port: number, private readonly options: AppProcessOptions) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  static async start(options: AppProcessOptions, port?: number): Promise<AppProcess> {
    const app = new AppProcess(port ?? (await freePort()), options);
    await app.launch();
    return app;
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error('app process is not running');
    return this.child.pid;
  }

  /** Whether the process is still running (a crash under load is a failure in itself). */
  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the process wrote to stdout and stderr (for failure messages). */
  get log(): string {
    return this.output;
  }

  async launch(): Promise<void> {
    const root = path.resolve(import.meta.dirname, '../../..');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      PORT: String(this.port),
      DATABASE_URL: this.options.databaseUrl,
      SCHEDULER_ENABLED: 'false',
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      LOG_REQUESTS: 'false',
      RATE_LIMIT_ENABLED: 'false',
      BCRYPT_ROUNDS: '4',
      ...this.options.env,
    };
    this.output = '';
    const child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), 'dist/main.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString();
      if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + (this.options.startTimeoutSeconds ?? 60) * 1000;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`app exited with ${exitCode} while starting:\n${this.output}`);
      try {
        const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`app did not become healthy within ${this.options.startTimeoutSeconds ?? 60}s:\n${this.output}`);
  }

  /** The crash: no shutdown hooks, no draining, open transactions die with their connections. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  /** Graceful stop (SIGTERM); SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 10_000): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const code = await this.exited!;
    clearTimeout(timer);
    return code;
  }
}
