/**
 * In-process FIFO mutexes by key. `runExclusive(keys, work)` runs `work` once it holds every key; keys are taken one
 * by one in sorted order, so callers with overlapping key sets queue behind each other and can never deadlock.
 */
export class KeyedMutex {
  /** Per key, the promise that settles when the last queued holder releases it. */
  private readonly tails = new Map<string, Promise<void>>();

  async runExclusive<T>(keys: string[], work: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    try {
      for (const key of [...new Set(keys)].sort()) releases.push(await this.acquire(key));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }

  /** Keys currently held or waited for (entries are dropped once their queue is empty). */
  get size(): number {
    return this.tails.size;
  }

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
