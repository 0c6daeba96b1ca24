import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { BrandContext } from './context/brand-context.js';
import { scheduleIntervalJob } from './scheduling.js';

const A = '00000000-0000-0000-0000-00000000000a';
const B = '00000000-0000-0000-0000-00000000000b';

/** Background jobs run once per brand, as that brand (row-level security shows each run only its brand's rows). */
describe('scheduleIntervalJob', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.clearAllTimers();
    jest.useRealTimers();
  });

  it('runs each tick once per brand, as that brand, and one brand failing does not stop the others', async () => {
    const seen: (string | undefined)[] = [];
    const logger = new Logger('test');
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    scheduleIntervalJob(new SchedulerRegistry(), { get: () => true } as never, {
      name: 'per-brand',
      intervalMs: 1000,
      logger,
      failureMessage: 'Job failed',
      brands: async () => [A, B],
      run: async () => {
        seen.push(BrandContext.current());
        if (BrandContext.current() === A) throw new Error('boom');
      },
    });
    await jest.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual([A, B]);
    expect(errors).toHaveBeenCalledWith(`Job failed (brand ${A}): boom`);
    await jest.advanceTimersByTimeAsync(1000);
    expect(seen).toEqual([A, B, A, B]);
  });
});
