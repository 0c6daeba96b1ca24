import { readFileSync } from 'node:fs';

const field = (status: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);

/**
 * Polls a process's resident set size from /proc (Linux) so each phase can report its own peak; VmHWM gives the
 * peak over the process's whole life.
 */
export class RssSampler {
  private timer?: NodeJS.Timeout;
  private phasePeakKb = 0;
  private lifetimePeakKb = 0;

  constructor(private readonly pid: number, private readonly intervalMs = 100) {}

  start(): this {
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  reset(): void {
    this.phasePeakKb = 0;
    this.sample();
  }

  /** Peak RSS since the last reset, in MB. */
  peakMb(): number {
    this.sample();
    return Math.round(this.phasePeakKb / 1024);
  }

  /** Peak RSS over the process's life (VmHWM), in MB. */
  lifetimePeakMb(): number {
    this.sample();
    return Math.round(this.lifetimePeakKb / 1024);
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
