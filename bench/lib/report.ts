import type { DropStormResult } from '../../test/support/drop-storm.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Measurement } from './measurement.js';
import type { ProfileShare } from './profile.js';
import { round } from './measurement.js';
import type { TargetVerdict } from './targets.js';

export interface LoadRow {
  /** stable name the targets refer to (hot, spread, list, detail, shop, orders, webhooks) */
  key: string;
  scenario: string;
  connections: number;
  app: Measurement;
  /** the same work done directly with pg, for the checkout scenarios */
  raw?: Measurement;
}

export interface ExpiryResult {
  reservations: number;
  seconds: number;
  perSecond: number;
  batches: number;
  /** reservations still held after the runs (must be 0) */
  leftOver: number;
}

export interface Checks {
  serverErrors: number;
  transportErrors: number;
  /** ledger, negative stock, whole-order, count and money problems (must be empty) */
  problems: string[];
  /** orders the database holds vs. 2xx checkout answers counted by the load generator */
  ordersCreated: number;
  checkoutsAnswered2xx: number;
  passed: boolean;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    postgres: string;
    loadAverageAtStart: number;
    loadAverageAtEnd: number;
  };
  settings: Record<string, unknown>;
  rows: LoadRow[];
  expiry?: ExpiryResult;
  serverPeakRssMb: number;
  /** the server's RSS after the load runs and a quiet pause: what an instance (the largest worker) holds idle once warm */
  idleRssMb?: number;
  /** with workers (BENCH_WORKERS above 1): the primary and every worker together, idle */
  idleRssTotalMb?: number;
  /** the drop storm's server side: CPU of all the server's processes and the load average around it */
  dropStormServer?: { cpuMs: number; cpuMsByProcess: number[]; loadAverageBefore: number; loadAverageAfter: number };
  /** the issue's targets as this run measured them */
  targets?: TargetVerdict[];
  /** where the server's CPU went (BENCH_CPU_PROFILE) */
  serverProfile?: { file: string; top: ProfileShare[] };
  /** The drop storm (issue #20): thousands of buyers in the first second of a drop */
  dropStorm?: DropStormResult;
  checks: Checks;
}

/** The drop storm's table: what was sold, how fast everyone heard, and how well arrival order held. */
export function dropStormLines(d: DropStormResult): string[] {
  const count = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, n]) => `${k}×${n}`)
      .join(' ');
  return [
    `Drop storm: ${num(d.buyers)} buyers released within the first second of a drop of ${d.units} units`,
    '',
    '| sold | oversold | 5xx | connection failures | unexplained refusals | over-limit phones | p50 / p99 / max ms | sold out after | first arrivals served |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${d.sold} | ${d.oversold} | ${d.serverErrors} | ${d.connectionFailures} | ${d.unexplainedRefusals} | ${d.overLimitPhones} | ` +
      `${d.p50Ms} / ${d.p99Ms} / ${d.maxMs} | ${d.soldOutAfterMs === null ? '–' : `${(d.soldOutAfterMs / 1000).toFixed(2)} s`} | ` +
      `${Math.round(d.firstArrivalsServed * 1000) / 10}% |`,
    '',
    `Answers: ${count(d.statuses)}. Refusal reasons: ${count(d.reasons)}. Early tap: ${d.earlyTap.status} ${d.earlyTap.code ?? ''} opens ${d.earlyTap.opensAt ?? '?'}.`,
  ];
}

const ms = (v: number) => (v >= 100 ? String(Math.round(v)) : v.toFixed(1));
const num = (v: number) => Math.round(v).toLocaleString('en-US');

/** The compact table (one row per path and concurrency) and the targets verdict; the README quotes both. */
export function markdown(report: BenchReport): string {
  const lines = [
    `Orderline benchmark — ${report.machine.cpus} CPU (${report.machine.cpuModel}), Node ${report.machine.node}, ${report.machine.postgres}; ` +
      `${report.settings.durationSeconds} s per run, app pool ${report.settings.appPoolSize}; load average ` +
      `${report.machine.loadAverageAtStart} before, ${report.machine.loadAverageAtEnd} after.`,
    '',
    '| path | conns | app /s | raw /s | app ÷ raw | app p50 / p95 / p99 ms | raw p50 / p99 ms | CPU ms/op | RSS MB | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const row of report.rows) {
    const other = Object.entries(row.app.outcomes)
      .filter(([status]) => !status.startsWith('2'))
      .map(([s, n]) => `${s}×${n}`);
    if (row.app.transportErrors) other.push(`errors×${row.app.transportErrors}`);
    const raw = row.raw;
    lines.push(
      `| ${row.scenario} | ${row.connections} | ${num(row.app.perSecond)} | ${raw ? num(raw.perSecond) : '–'} | ` +
        `${raw ? `${Math.round((row.app.perSecond / raw.perSecond) * 100)}%` : '–'} | ` +
        `${ms(row.app.p50Ms)} / ${ms(row.app.p95Ms)} / ${ms(row.app.p99Ms)} | ${raw ? `${ms(raw.p50Ms)} / ${ms(raw.p99Ms)}` : '–'} | ` +
        `${row.app.serverCpuMsPerRequest ?? '–'} | ${row.app.peakRssMb ?? '–'} | ${other.join(' ') || '0'} |`,
    );
  }
  if (report.dropStorm) lines.push('', ...dropStormLines(report.dropStorm));
  if (report.dropStormServer) {
    const s = report.dropStormServer;
    const byProcess = s.cpuMsByProcess.length > 1 ? ` (primary, then each worker: ${s.cpuMsByProcess.map(num).join(' / ')} ms)` : '';
    lines.push(
      '',
      `Storm server CPU ${num(s.cpuMs)} ms${byProcess}; load average ${s.loadAverageBefore} before, ${s.loadAverageAfter} after.`,
    );
  }
  if (report.expiry) {
    const e = report.expiry;
    lines.push(
      '',
      `Expiry: ${num(e.reservations)} reservations expired in ${e.seconds.toFixed(2)} s (${num(e.perSecond)}/s, ${e.batches} ` +
        `batches), ${e.leftOver} left over.`,
    );
  }
  if (report.serverProfile) {
    lines.push('', `Server CPU by area (self time, ${report.serverProfile.file}):`, '', '| area | % |', '|---|---:|');
    for (const share of report.serverProfile.top) lines.push(`| ${share.area} | ${share.selfPercent} |`);
  }
  if (report.targets) {
    lines.push('', '| target (issue #16) | this run | met |', '|---|---|---|');
    for (const t of report.targets) lines.push(`| ${t.target} | ${t.measured} | ${t.met === undefined ? '–' : t.met ? 'yes' : 'NO'} |`);
  }
  const c = report.checks;
  lines.push(
    '',
    `Server peak RSS: ${report.serverPeakRssMb} MB${workersNote(report)}, idle after the runs: ${report.idleRssMb ?? '–'} MB ` +
      `${report.idleRssTotalMb !== undefined ? `per instance (largest worker), ${report.idleRssTotalMb} MB all processes together` : ''}. Checks: ${c.passed ? 'PASSED' : 'FAILED'} — 5xx: ${c.serverErrors}, transport ` +
      `errors: ${c.transportErrors}, ` +
      `checkout orders in the database ${num(c.ordersCreated)} for ${num(c.checkoutsAnswered2xx)} 2xx answers (the rest were in ` +
      `flight when a run stopped), ` +
      `ledger/stock/order/money problems: ${c.problems.length}.`,
  );
  return lines.join('\n');
}

/** `loadAverageAtStart` is the 1-minute load average before the run: other work on the machine skews every number. */
export function machineInfo(postgresVersion: string, loadAverageAtStart: number): BenchReport['machine'] {
  return {
    loadAverageAtStart: round(loadAverageAtStart, 2),
    loadAverageAtEnd: round(os.loadavg()[0], 2),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: round(os.totalmem() / 1024 ** 3),
    node: process.version,
    postgres: postgresVersion,
  };
}

export function writeReport(report: BenchReport, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

function workersNote(report: BenchReport): string {
  const workers = Number(report.settings.workers ?? 1);
  return workers > 1 ? ` (primary and ${workers} workers together)` : '';
}
