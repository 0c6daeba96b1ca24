import type { Logger } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { EnvironmentVariables } from '../config/configuration.js';
import { BrandContext } from './context/brand-context.js';

export interface IntervalJobOptions {
  /** Its name in the SchedulerRegistry (graceful shutdown stops every registered interval). */
  name: string;
  intervalMs: number;
  /** One run. A tick while the previous run is still going is skipped. */
  run: () => Promise<unknown>;
  logger: Logger;
  /** A failed run is logged as "<failureMessage>: <error message>"; the schedule goes on. */
  failureMessage: string;
  /**
   * The brands to run it for (README "Brands": brand-owned rows are only seen as their brand): each run runs `run`
   * once per brand, one after another, as that brand; one brand's failure is logged and the others still run.
   */
  brands: () => Promise<string[]>;
}

export interface IntervalJob {
  /** No further runs; resolves once the run in progress (if any) has finished. */
  stop(): Promise<void>;
}

/**
 * Runs a background job every `intervalMs` when SCHEDULER_ENABLED (otherwise does nothing and returns undefined),
 * never two runs of it at once in this instance.
 */
export function scheduleIntervalJob(
  scheduler: SchedulerRegistry,
  config: ConfigService<EnvironmentVariables, true>,
  { name, intervalMs, run, logger, failureMessage, brands }: IntervalJobOptions,
): IntervalJob | undefined {
  if (!config.get('SCHEDULER_ENABLED', { infer: true })) return undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      try {
        for (const brand of await brands()) {
          try {
            await BrandContext.run(brand, run);
          } catch (error) {
            logger.error(`${failureMessage} (brand ${brand}): ${(error as Error).message}`);
          }
        }
      } catch (error) {
        logger.error(`${failureMessage}: ${(error as Error).message}`);
      }
    })().finally(() => (running = undefined));
  };
  scheduler.addInterval(name, setInterval(tick, intervalMs));
  return {
    async stop() {
      stopped = true;
      if (scheduler.doesExist('interval', name)) scheduler.deleteInterval(name);
      await running;
    },
  };
}
