import { jest } from '@jest/globals';
import { SchedulerRegistry } from '@nestjs/schedule';
import { IdempotencyCleanupJob } from './idempotency-cleanup.job.js';
import type { IdempotencyService } from './idempotency.service.js';

/** A single-brand install: every run is the default brand's. */
const ONE_BRAND = { jobBrandIds: async () => ['00000000-0000-0000-0000-000000000001'] } as never;

/** The schedule of the cleanup (deleteExpired itself is covered by test/idempotency.e2e-spec.ts). */
describe('IdempotencyCleanupJob', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.clearAllTimers();
    jest.useRealTimers();
  });

  const make = (enabled: boolean) => {
    const deleteExpired = jest.fn(async () => 0);
    const registry = new SchedulerRegistry();
    const config = { get: (key: string) => (key === 'SCHEDULER_ENABLED' ? enabled : undefined) };
    const job = new IdempotencyCleanupJob(ONE_BRAND, { deleteExpired } as unknown as IdempotencyService, registry, config as never);
    job.onApplicationBootstrap();
    return { deleteExpired, registry };
  };

  it('deletes expired keys every 15 minutes when the scheduler is on', async () => {
    const { deleteExpired, registry } = make(true);
    expect(registry.getIntervals()).toEqual([IdempotencyCleanupJob.name]);
    await jest.advanceTimersByTimeAsync(15 * 60 * 1000 - 1);
    expect(deleteExpired).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(deleteExpired).toHaveBeenCalledTimes(1);
  });

  it('is not scheduled when the scheduler is off', () => {
    expect(make(false).registry.getIntervals()).toEqual([]);
  });
});
