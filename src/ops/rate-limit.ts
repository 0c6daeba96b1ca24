import { applyDecorators, CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable, SetMetadata } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { ApiExtension, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { EnvironmentVariables } from '../config/configuration.js';
import { ErrorResponse } from '../common/http/error-response.dto.js';
import { activeBrandId } from '../common/context/brand-context.js';
import { perRoute } from '../common/http/route-metadata.js';

const STRICT_RATE_LIMIT = 'ops:strict-rate-limit';
const SKIP_RATE_LIMIT = 'ops:skip-rate-limit';

/**
 * Marks a route as an abuse target (login, registration, checkout): besides the default limit it gets the strict
 * one, RATE_LIMIT_STRICT_LIMIT requests per RATE_LIMIT_STRICT_TTL_SECONDS per client IP.
 */
export const StrictRateLimit = () =>
  applyDecorators(
    SetMetadata(STRICT_RATE_LIMIT, true),
    ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'Rate limit reached; retry after the Retry-After header (seconds)' }),
  );

/**
 * Exempts a controller or route from rate limits: payment provider webhooks (a provider retrying a burst must never
 * get 429; their signature checks still apply), metrics scrapes and load balancer health checks.
 */
export const SkipRateLimit = () => applyDecorators(SetMetadata(SKIP_RATE_LIMIT, true), ApiExtension(RATE_LIMIT_EXTENSION, 'skip'));

/**
 * Marks an exempt route's OpenAPI operation for the document's post-processing (src/openapi-document.ts), which gives
 * every other operation its 429 answer and removes the mark.
 */
export const RATE_LIMIT_EXTENSION = 'x-orderline-rate-limit';

interface Rule {
  name: 'default' | 'strict';
  limit: number;
  windowMs: number;
}

interface Window {
  hits: number;
  resetAt: number;
}

/** Beyond this many live counters (one per client IP and route) expired ones are swept, then the oldest dropped. */
const MAX_WINDOWS = 50_000;

/**
 * Fixed-window counters in this instance's memory. Refused requests do not count, so a client that backs off for
 * Retry-After seconds always gets through again.
 */
export class RateLimitCounters {
  private readonly windows = new Map<string, Window>();

  hit(key: string, rule: Rule, now = Date.now()): { allowed: boolean; remaining: number; resetAt: number } {
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      window = { hits: 0, resetAt: now + rule.windowMs };
      this.windows.delete(key);
      this.windows.set(key, window);
      if (this.windows.size > MAX_WINDOWS) this.sweep(now);
    }
    if (window.hits >= rule.limit) return { allowed: false, remaining: 0, resetAt: window.resetAt };
    window.hits++;
    return { allowed: true, remaining: rule.limit - window.hits, resetAt: window.resetAt };
  }

  get size(): number {
    return this.windows.size;
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    // Still full (many clients at once): drop the windows opened longest ago (Map keeps insertion order).
    for (const key of this.windows.keys()) {
      if (this.windows.size <= MAX_WINDOWS) break;
      this.windows.delete(key);
    }
  }
}

/**
 * Global guard: every route gets the default limit per brand, client IP and route, routes marked @StrictRateLimit() the
 * strict one as well. Over a limit the answer is 429 in the common error shape with Retry-After (seconds).
 * Counters live in each instance's memory, so behind a load balancer a client gets up to the limit per instance.
 * (Written here rather than with @nestjs/throttler, which is CommonJS and cannot load Nest 12's ESM-only packages
 * under the test runner.)
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly enabled: boolean;
  private readonly rules: { default: Rule; strict: Rule };
  private readonly counters = new RateLimitCounters();
  /** Per route: its rules (none when exempt) and the name its counters are keyed by. */
  private readonly route: (context: ExecutionContext) => { rules: Rule[]; name: string };

  constructor(reflector: Reflector, config: ConfigService<EnvironmentVariables, true>) {
    this.enabled = config.get('RATE_LIMIT_ENABLED', { infer: true });
    this.rules = {
      default: {
        name: 'default',
        limit: config.get('RATE_LIMIT_LIMIT', { infer: true }),
        windowMs: config.get('RATE_LIMIT_TTL_SECONDS', { infer: true }) * 1000,
      },
      strict: {
        name: 'strict',
        limit: config.get('RATE_LIMIT_STRICT_LIMIT', { infer: true }),
        windowMs: config.get('RATE_LIMIT_STRICT_TTL_SECONDS', { infer: true }) * 1000,
      },
    };
    this.route = perRoute((handler, controller) => {
      const targets = [handler, controller];
      const rules = reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT, targets)
        ? []
        : reflector.getAllAndOverride<boolean>(STRICT_RATE_LIMIT, targets)
          ? [this.rules.default, this.rules.strict]
          : [this.rules.default];
      return { rules, name: `${controller.name}.${handler.name}` };
    });
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.enabled || context.getType() !== 'http') return true;
    const { rules, name: route } = this.route(context);
    if (!rules.length) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const now = Date.now();
    let tightest: { rule: Rule; remaining: number; resetAt: number } | undefined;
    for (const rule of rules) {
      // Keyed by brand too: clients of one brand (a drop's crowd behind one carrier NAT) never use up another brand's limits.
      const result = this.counters.hit(`${rule.name}|${activeBrandId()}|${route}|${req.ip ?? 'unknown'}`, rule, now);
      if (!result.allowed) {
        const retryAfter = Math.max(1, Math.ceil((result.resetAt - now) / 1000));
        res.setHeader('Retry-After', String(retryAfter));
        throw new HttpException(`Too many requests; retry in ${retryAfter} s`, HttpStatus.TOO_MANY_REQUESTS);
      }
      if (!tightest || result.remaining < tightest.remaining) tightest = { rule, ...result };
    }
    if (tightest) {
      res.setHeader('X-RateLimit-Limit', String(tightest.rule.limit));
      res.setHeader('X-RateLimit-Remaining', String(tightest.remaining));
      res.setHeader('X-RateLimit-Reset', String(Math.ceil((tightest.resetAt - now) / 1000)));
    }
    return true;
  }
}
