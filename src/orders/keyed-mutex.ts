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

/**
 * In-process FIFO semaphores by key: `run(key, work)` runs `work` once fewer than `limit` works of that key are
 * running. Checkout keys it by brand (platform mode), so one brand's crowd holds at most `limit` of the instance's
 * database connections and other brands' checkouts still find some free.
 */
export class KeyedSemaphore {
  private readonly slots = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(private readonly limit: number) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let slot = this.slots.get(key);
    if (!slot) this.slots.set(key, (slot = { running: 0, waiting: [] }));
    if (slot.running >= this.limit) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    else slot.running++;
    try {
      return await work();
    } finally {
      const next = slot.waiting.shift();
      // The slot passes straight to the next in line (its count stays); the last one out removes the key.
      if (next) next();
      else if (--slot.running === 0) this.slots.delete(key);
    }
  }

  /** Keys with work running or waiting. */
  get size(): number {
    return this.slots.size;
  }
}
