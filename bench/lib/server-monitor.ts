import { readFileSync } from 'node:fs';

const field = (status: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * Watches the server process through /proc (Linux): resident set size, polled so each phase can report its own
 * peak (VmHWM gives the peak over the whole life), and CPU time, so a phase can report CPU per request — the number
 * that says whether the server or the database is the bottleneck.
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

  /** Peak RSS since the last reset, in MB. */
  peakMb(): number {
    this.sample();
    return Math.round(this.phasePeakKb / 1024);
  }

  /** CPU time (user + system) the server used since the last reset, in ms. */
  phaseCpuMs(): number {
    return this.cpuMs() - this.phaseCpuStartMs;
  }

  /** RSS now, in MB. */
  currentMb(): number {
    try {
      return Math.round((field(readFileSync(`/proc/${this.pid}/status`, 'utf8'), 'VmRSS') || 0) / 1024);
    } catch {
      return 0;
    }
  }

  /** Peak RSS over the process's life (VmHWM), in MB. */
  lifetimePeakMb(): number {
    this.sample();
    return Math.round(this.lifetimePeakKb / 1024);
  }

  private cpuMs(): number {
    try {
      // Fields after the command name: state is field 3, utime 14 and stime 15 (1-based, as in proc(5)).
      const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
    } catch {
      return 0;
    }
  }

  private sample(): void {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      this.phasePeakKb = Math.max(this.phasePeakKb, field(status, 'VmRSS') || 0);
      this.lifetimePeakKb = Math.max(this.lifetimePeakKb, field(status, 'VmHWM') || 0, this.phasePeakKb);
    } catch {
      // process gone or not Linux: nothing to sample
    }
  }
}
