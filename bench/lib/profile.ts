import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  area: string;
  selfPercent: number;
}

/**
 * Where the server's CPU time went, by area: each sample's self time is charged to the npm package (or the app's own
 * folder under dist/, or Node internals / garbage collection / idle) of the function on top of the stack.
 */
export function summariseCpuProfile(file: string, top = 15): ProfileShare[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const area = areaOf(byId.get(id)!);
    totals.set(area, (totals.get(area) ?? 0) + delta);
    all += delta;
  });
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([area, time]) => ({ area, selfPercent: Math.round((time / all) * 1000) / 10 }));
}

function areaOf(node: CpuProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (functionName === '(idle)') return '(idle: waiting for I/O)';
  if (functionName === '(garbage collector)') return '(garbage collection)';
  if (functionName === '(program)') return '(V8 / native)';
  if (!url) return `(native: ${functionName || 'anonymous'})`;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const dist = /\/dist\/([^/]+)\//.exec(url);
  if (dist) return `app: ${dist[1]}`;
  return url.split('/').slice(-2).join('/');
}

/**
 * The newest .cpuprofile in `dir` (Node names them by date, pid and sequence); of the profiles of `pids` (a primary's
 * workers, which end before it), the largest: the busiest worker's.
 */
export function newestProfile(dir: string, pids?: number[]): string | undefined {
  try {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(dir, f));
    if (pids?.length)
      return files
        .filter((f) => pids.some((pid) => path.basename(f).includes(`.${pid}.`)))
        .sort((a, b) => statSync(b).size - statSync(a).size)[0];
    return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  } catch {
    return undefined;
  }
}
