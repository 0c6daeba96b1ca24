import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ReservationExpiryJob } from './reservation-expiry.job.js';

/** The scheduling around the job (its database work is covered by test/expiry.e2e-spec.ts). */
describe('ReservationExpiryJob scheduling', () => {
  const settings = (overrides: Record<string, unknown>) => ({
    get: (key: string) =>
      ({ SCHEDULER_ENABLED: true, EXPIRY_INTERVAL_SECONDS: 60, EXPIRY_BATCH_SIZE: 500, EXPIRY_CONCURRENCY: 2, ...overrides })[key],
  });
  const make = (overrides: Record<string, unknown> = {}) => {
    const registry = new SchedulerRegistry();
    const job = new ReservationExpiryJob(
      { jobBrandIds: async () => ['00000000-0000-0000-0000-000000000001'] } as never,
      undefined as never,
      undefined as never,
      registry,
      settings(overrides) as never,
      { reservationsExpired: () => undefined } as never,
    );
    return { registry, job };
  };

  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.clearAllTimers();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('is not scheduled when SCHEDULER_ENABLED is off', () => {
    const { registry, job } = make({ SCHEDULER_ENABLED: false });
    job.onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual([]);
  });

  it('runs every EXPIRY_INTERVAL_SECONDS, never two runs at once, and survives a failed run', async () => {
    const { registry, job } = make({ EXPIRY_INTERVAL_SECONDS: 5 });
    let finish: (n: number) => void = () => undefined;
    const expireDue = jest
      .spyOn(job, 'expireDue')
      .mockImplementationOnce(
        () =>
          new Promise<number>((resolve) => {
            finish = resolve;
          }),
      )
      .mockRejectedValueOnce(new Error('database unavailable'))
      .mockResolvedValue(0);
    job.onApplicationBootstrap();
    expect(registry.getIntervals()).toEqual([ReservationExpiryJob.name]);

    await jest.advanceTimersByTimeAsync(4_999);
    expect(expireDue).toHaveBeenCalledTimes(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(expireDue).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(10_000); // the first run is still going: these ticks skip
    expect(expireDue).toHaveBeenCalledTimes(1);
    finish(3);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(expireDue).toHaveBeenCalledTimes(2); // rejected, logged
    expect(Logger.prototype.error).toHaveBeenCalledWith(expect.stringContaining('database unavailable'));
    await jest.advanceTimersByTimeAsync(5_000);
    expect(expireDue).toHaveBeenCalledTimes(3);
  });
});
