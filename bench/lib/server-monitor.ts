import { readFileSync } from 'node:fs';
import { childPids } from '../../test/support/app-process.js';

const field = (status: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

function statusOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Fields after the command name of /proc/<pid>/stat (state is field 3 of proc(5), so index i is field i + 3). */
function statFields(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  } catch {
    return undefined;
  }
}

/** RSS of one process, in MB. */
export interface ProcessRss {
  pid: number;
  mb: number;
}

/**
 * Watches the server through /proc (Linux): the process and, with WEB_CONCURRENCY, its workers (its child processes).
 * Resident set size, polled so each phase can report its own peak (of all processes together), and CPU time of all
 * of them (ended workers' included), so a phase can report CPU per request — the number that says whether the
 * server or the database is the bottleneck. RSS is reported per process too: what one instance holds is one worker.
 */
export class ServerMonitor {
  private timer?: NodeJS.Timeout;
  private phasePeakKb = 0;
  private lifetimePeakKb = 0;
  private phaseCpuStartMs = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Starts a phase: its peak RSS and CPU time count from here. */
  reset(): void {
    this.phasePeakKb = 0;
    this.phaseCpuStartMs = this.cpuMs();
    this.sample();
  }

  /** Peak RSS (all processes together) since the last reset, in MB. */
  peakMb(): number {
    this.sample();
    return Math.round(this.phasePeakKb / 1024);
  }

  /** CPU time (user + system) the server's processes used since the last reset, in ms. */
  phaseCpuMs(): number {
    return this.cpuMs() - this.phaseCpuStartMs;
  }

  /** RSS now of every process (the primary first, then its workers), in MB. */
  processesMb(): ProcessRss[] {
    return this.pids().map((pid) => ({ pid, mb: Math.round((field(statusOf(pid) ?? '', 'VmRSS') || 0) / 1024) }));
  }

  /** RSS now, all processes together, in MB. */
  currentMb(): number {
    return this.processesMb().reduce((sum, p) => sum + p.mb, 0);
  }

  /** RSS now of the largest process that serves (a worker, or the one process): what one instance holds, in MB. */
  largestInstanceMb(): number {
    const all = this.processesMb();
    const serving = all.length > 1 ? all.slice(1) : all;
    return Math.max(0, ...serving.map((p) => p.mb));
  }

  /** Peak RSS over the processes' lives (VmHWM, summed over those running now; or the sampled peak), in MB. */
  lifetimePeakMb(): number {
    this.sample();
    return Math.round(this.lifetimePeakKb / 1024);
  }

  /** CPU time (user + system) each running process has used so far (the primary's without its ended workers), in ms. */
  processesCpuMs(): Map<number, number> {
    return new Map(
      this.pids().map((pid) => {
        const f = statFields(pid);
        return [pid, f ? ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND : 0];
      }),
    );
  }

  private pids(): number[] {
    return [this.pid, ...childPids(this.pid)];
  }

  private cpuMs(): number {
    const [primary, ...workers] = this.pids().map(statFields);
    if (!primary) return 0;
    // utime 14 and stime 15, and cutime 16 and cstime 17: the ended workers the primary waited for.
    const ticks = (f: string[] | undefined, from: number, to: number) =>
      f ? f.slice(from - 3, to - 2).reduce((sum, v) => sum + Number(v), 0) : 0;
    const total = ticks(primary, 14, 17) + workers.reduce((sum, f) => sum + ticks(f, 14, 15), 0);
    return (total * 1000) / TICKS_PER_SECOND;
  }

  private sample(): void {
    const statuses = this.pids()
      .map(statusOf)
      .filter((s): s is string => !!s);
    if (!statuses.length) return; // process gone or not Linux: nothing to sample
    const rss = statuses.reduce((sum, s) => sum + (field(s, 'VmRSS') || 0), 0);
    const hwm = statuses.reduce((sum, s) => sum + (field(s, 'VmHWM') || 0), 0);
    this.phasePeakKb = Math.max(this.phasePeakKb, rss);
    this.lifetimePeakKb = Math.max(this.lifetimePeakKb, hwm, this.phasePeakKb);
  }
}
