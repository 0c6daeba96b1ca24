import autocannon, { type AutocannonRequest } from 'autocannon';
import type { Measurement } from './measurement.js';
import { percentile, round } from './measurement.js';
import type { ServerMonitor } from './server-monitor.js';

export interface HttpLoad {
  baseUrl: string;
  connections: number;
  durationSeconds: number;
  /** the request sequence each connection cycles through; randomise in setupRequest */
  requests: AutocannonRequest[];
  monitor?: ServerMonitor;
}

/** Drives the app with autocannon (closed loop: each connection sends its next request when the last one answered). */
export async function runHttpLoad(load: HttpLoad): Promise<Measurement> {
  load.monitor?.reset();
  const instance = autocannon({
    url: load.baseUrl,
    connections: load.connections,
    duration: load.durationSeconds,
    timeout: 30,
    requests: load.requests,
  });
  // autocannon's summary has no p95 (the staff list's target); every answer's latency is kept for it.
  const latencies: number[] = [];
  void instance.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.push(responseTimeMs));
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const outcomes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]));
  const ok = result['2xx'];
  const answered = Object.values(outcomes).reduce((n, count) => n + count, 0);
  return {
    ok,
    perSecond: round(ok / result.duration),
    p50Ms: result.latency.p50,
    p95Ms: round(percentile(latencies, 95), 2),
    p99Ms: result.latency.p99,
    meanMs: round(result.latency.mean, 2),
    durationSeconds: round(result.duration, 2),
    outcomes,
    serverErrors: result['5xx'],
    transportErrors: result.errors + result.timeouts,
    peakRssMb: load.monitor?.peakMb(),
    ...(load.monitor && answered && { serverCpuMsPerRequest: round(load.monitor.phaseCpuMs() / answered, 2) }),
  };
}
