import { KeyedMutex, KeyedSemaphore } from './keyed-mutex.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedMutex', () => {
  it('runs holders of one key one at a time, in arrival order', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    let running = 0;
    const job = (name: string) =>
      mutex.runExclusive(['a'], async () => {
        running++;
        expect(running).toBe(1);
        events.push(`start ${name}`);
        await tick();
        events.push(`end ${name}`);
        running--;
        return name;
      });
    expect(await Promise.all([job('1'), job('2'), job('3')])).toEqual(['1', '2', '3']);
    expect(events).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(mutex.size).toBe(0);
  });

  it('lets different keys run at the same time', async () => {
    const mutex = new KeyedMutex();
    let release!: () => void;
    const blocker = mutex.runExclusive(['a'], () => new Promise<void>((resolve) => (release = resolve)));
    let ranB = false;
    await mutex.runExclusive(['b'], async () => {
      ranB = true;
    });
    expect(ranB).toBe(true);
    release();
    await blocker;
  });

  it('never deadlocks callers whose key sets overlap in opposite orders', async () => {
    const mutex = new KeyedMutex();
    const held = new Set<string>();
    const job = (keys: string[]) =>
      mutex.runExclusive(keys, async () => {
        for (const k of keys) {
          expect(held.has(k)).toBe(false);
          held.add(k);
        }
        await tick();
        for (const k of keys) held.delete(k);
      });
    await Promise.all(Array.from({ length: 50 }, (_, i) => job(i % 2 ? ['x', 'y', 'z'] : ['z', 'y'])));
    expect(mutex.size).toBe(0);
  });

  it('releases the keys when the work fails', async () => {
    const mutex = new KeyedMutex();
    await expect(
      mutex.runExclusive(['a', 'b'], async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(mutex.size).toBe(0);
    expect(await mutex.runExclusive(['b', 'a'], async () => 'next')).toBe('next');
  });
});

describe('KeyedSemaphore', () => {
  it('runs at most `limit` works per key at once, in arrival order, and other keys alongside', async () => {
    const gate = new KeyedSemaphore(2);
    const running = new Map<string, number>();
    let most = 0;
    const order: string[] = [];
    const releases: (() => void)[] = [];
    const work = (key: string, name: string) =>
      gate.run(key, async () => {
        running.set(key, (running.get(key) ?? 0) + 1);
        most = Math.max(most, running.get(key)!);
        order.push(name);
        await new Promise<void>((resolve) => releases.push(resolve));
        running.set(key, running.get(key)! - 1);
      });
    const all = [work('a', 'a1'), work('a', 'a2'), work('a', 'a3'), work('a', 'a4'), work('b', 'b1')];
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['a1', 'a2', 'b1']);
    while (releases.length) {
      releases.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(all);
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
    expect(most).toBe(2);
    expect(gate.size).toBe(0);
  });
});
