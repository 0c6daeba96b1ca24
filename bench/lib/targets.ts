import type { BenchReport, LoadRow } from './report.js';
import { PLATFORM_KEYS } from './platform.js';

/** One target of issue #16, judged from a single run (ratios against the raw node-pg baseline of the same run). */
export interface TargetVerdict {
  target: string;
  /** what this run measured, in the target's terms */
  measured: string;
  /** undefined when the run did not include the scenario */
  met?: boolean;
}

const pct = (row: LoadRow) => (row.raw ? (row.app.perSecond / row.raw.perSecond) * 100 : NaN);
const at = (rows: LoadRow[], key: string, connections: number) => rows.find((r) => r.key === key && r.connections === connections);
const of = (rows: LoadRow[], key: string) => rows.filter((r) => r.key === key);

function ratioTarget(rows: LoadRow[], key: string, connections: number[], minPercent: number, label: string): TargetVerdict {
  const found = connections.map((c) => at(rows, key, c)).filter((r): r is LoadRow => r !== undefined);
  if (!found.length) return { target: `${label} ≥ ${minPercent}% of raw at ${connections.join(' and ')}`, measured: 'not run' };
  return {
    target: `${label} ≥ ${minPercent}% of raw at ${connections.join(' and ')} conns`,
    measured: found.map((r) => `${Math.round(pct(r))}% @${r.connections}`).join(', '),
    met: found.length === connections.length && found.every((r) => pct(r) >= minPercent),
  };
}

/**
 * The targets. Catalogue ratios are judged at every concurrency the run measured (the worst counts); the
 * staff list's p95 at 1 and 8 connections (a few staff working — at 64 concurrent requests on 2 cores the queue,
 * not the query, sets the latency).
 */
export function judgeTargets(report: Pick<BenchReport, 'rows' | 'expiry' | 'idleRssMb'>): TargetVerdict[] {
  const { rows } = report;
  const verdicts: TargetVerdict[] = [
    ratioTarget(rows, 'spread', [8, 32], 50, 'checkout spread'),
    ratioTarget(rows, 'hot', [32], 70, 'checkout hot SKU'),
  ];
  const p99at8 = ['spread', 'hot'].map((k) => at(rows, k, 8)).filter((r): r is LoadRow => r !== undefined);
  verdicts.push({
    target: 'checkout p99 at 8 buyers < 60 ms',
    measured: p99at8.length ? p99at8.map((r) => `${r.key} ${r.app.p99Ms} ms`).join(', ') : 'not run',
    met: p99at8.length ? p99at8.every((r) => r.app.p99Ms < 60) : undefined,
  });
  const cpu = (key: string) => of(rows, key).map((r) => r.app.serverCpuMsPerRequest ?? NaN);
  const checkoutCpu = [...cpu('spread'), ...cpu('hot')];
  verdicts.push({
    target: 'CPU per checkout < 4 ms',
    measured: checkoutCpu.length ? `${Math.min(...checkoutCpu)}–${Math.max(...checkoutCpu)} ms` : 'not run',
    met: checkoutCpu.length ? Math.max(...checkoutCpu) < 4 : undefined,
  });
  const webhookCpu = cpu('webhooks');
  verdicts.push({
    target: 'CPU per signed webhook < 3 ms',
    measured: webhookCpu.length ? `${Math.min(...webhookCpu)}–${Math.max(...webhookCpu)} ms` : 'not run',
    met: webhookCpu.length ? Math.max(...webhookCpu) < 3 : undefined,
  });
  const webhooks = of(rows, 'webhooks');
  const bestWebhooks = Math.max(0, ...webhooks.map((r) => r.app.perSecond));
  verdicts.push({
    target: 'webhooks ≥ 300/s sustained',
    measured: webhooks.length ? `${Math.round(bestWebhooks)}/s best` : 'not run',
    met: webhooks.length ? bestWebhooks >= 300 : undefined,
  });
  const everyLevel = (key: string) => of(rows, key).map((r) => r.connections);
  verdicts.push(ratioTarget(rows, 'detail', everyLevel('detail'), 40, 'GET /products/:slug'));
  verdicts.push(ratioTarget(rows, 'list', everyLevel('list'), 70, 'GET /products'));
  verdicts.push({
    target: 'expiry of 50,000 lapsed reservations < 10 s',
    measured: report.expiry ? `${report.expiry.reservations} in ${report.expiry.seconds.toFixed(2)} s` : 'not run',
    met: report.expiry ? report.expiry.reservations >= 50_000 && report.expiry.seconds < 10 : undefined,
  });
  const staff = [1, 8].map((c) => at(rows, 'orders', c)).filter((r): r is LoadRow => r !== undefined);
  verdicts.push({
    target: 'staff orders list p95 < 50 ms (100,000 orders)',
    measured: staff.length ? staff.map((r) => `${r.app.p95Ms} ms @${r.connections}`).join(', ') : 'not run',
    met: staff.length ? staff.every((r) => r.app.p95Ms < 50) : undefined,
  });
  verdicts.push(platformTarget(rows));
  verdicts.push({
    target: 'RSS < 200 MB idle after warm-up',
    measured: report.idleRssMb !== undefined ? `${report.idleRssMb} MB` : 'not measured',
    met: report.idleRssMb !== undefined ? report.idleRssMb < 200 : undefined,
  });
  return verdicts;
}

/** Issue #19: checkout throughput with platform mode on (several brands, resolved by prefix and host) within 10% of off. */
function platformTarget(rows: LoadRow[]): TargetVerdict {
  const target = 'platform-mode checkout ≥ 90% of single-brand (same run)';
  const pairs = of(rows, PLATFORM_KEYS.platform).flatMap((platform) => {
    const single = at(rows, PLATFORM_KEYS.single, platform.connections);
    return single
      ? [{ connections: platform.connections, ratio: (platform.app.perSecond / single.app.perSecond) * 100, platform, single }]
      : [];
  });
  if (!pairs.length) return { target, measured: 'not run' };
  return {
    target,
    measured: pairs
      .map(
        (p) =>
          `${Math.round(p.ratio)}% @${p.connections} (CPU ${p.platform.app.serverCpuMsPerRequest ?? '?'} vs ${p.single.app.serverCpuMsPerRequest ?? '?'} ms/op)`,
      )
      .join(', '),
    met: pairs.every((p) => p.ratio >= 90),
  };
}
