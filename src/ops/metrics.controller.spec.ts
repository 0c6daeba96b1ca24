import { ConfigService } from '@nestjs/config';
import { NotFoundError, UnauthorizedError } from '../common/errors/domain-errors.js';
import { MetricsController } from './metrics.controller.js';
import type { MetricsService } from './metrics.service.js';

describe('MetricsController', () => {
  const metrics = { render: async () => 'orderline_up 1\n' } as unknown as MetricsService;
  const response = () => {
    const res = {
      contentType: '',
      type(value: string) {
        res.contentType = value;
        return res;
      },
    };
    return res;
  };
  const controller = (env: Record<string, unknown>) => new MetricsController(metrics, new ConfigService(env) as any);

  it('answers 404 when METRICS_ENABLED=false, whatever the token', async () => {
    await expect(controller({ METRICS_ENABLED: false, METRICS_TOKEN: 't' }).scrape('Bearer t', response() as any)).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('requires the exact bearer token when METRICS_TOKEN is set', async () => {
    const guarded = controller({ METRICS_ENABLED: true, METRICS_TOKEN: 'scrape-token' });
    for (const header of [undefined, '', 'Bearer', 'Bearer scrape-toke', 'Bearer scrape-token2', 'Basic scrape-token']) {
      await expect(guarded.scrape(header, response() as any)).rejects.toBeInstanceOf(UnauthorizedError);
    }
    const res = response();
    await expect(guarded.scrape('Bearer scrape-token', res as any)).resolves.toBe('orderline_up 1\n');
    expect(res.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('is open without a token (for scrapers on a private network)', async () => {
    await expect(controller({ METRICS_ENABLED: true }).scrape(undefined, response() as any)).resolves.toBe('orderline_up 1\n');
  });
});
