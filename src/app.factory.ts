import { type INestApplication, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { createValidationPipe } from './common/http/validation.js';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from './config/configuration.js';
import { configureHttp, parseCorsOrigins } from './ops/http.js';
import { installFrontDoor } from './ops/front-door.js';
import { DropAdmission } from './drops/drop-admission.js';
import { serveUi } from './ops/ui-hosting.js';
import { createOpenApiDocument } from './openapi-document.js';

/** Builds the fully configured HTTP app. main.ts and the e2e tests both use this, so tests run what ships. */
export async function createApp(options: NestApplicationOptions = {}): Promise<INestApplication> {
  const silent = options.logger === false;
  // abortOnError: false hands start-up errors to the caller (main.ts prints them) instead of exiting the process.
  const app = await NestFactory.create(AppModule, { rawBody: true, bufferLogs: !silent, abortOnError: false, ...options });
  // Nest's own lines (bootstrap, errors) go through the same JSON logger as the request lines.
  if (!silent) app.useLogger(app.get(Logger));
  const edge = configureHttp(app);
  const admission = app.get(DropAdmission);
  // After the body parsers, before the Nest pipeline: drop checkouts are refused or queued here in microseconds.
  app.use(admission.middleware);
  // Before Express, what that door refuses at once from memory (a drop's crowd): see ops/front-door.ts.
  const config = app.get<ConfigService<EnvironmentVariables, true>>(ConfigService);
  if (!config.get('PLATFORM_MODE', { infer: true }))
    installFrontDoor(
      app,
      edge,
      [{ method: 'POST', path: '/orders/checkout', active: admission.mayRefuseEarly, check: admission.earlyRefusal }],
      {
        bodyLimit: config.get('BODY_LIMIT', { infer: true }),
        cors: parseCorsOrigins(config.get('CORS_ORIGINS', { infer: true })) !== undefined,
      },
    );
  serveUi(app);
  app.useGlobalPipes(createValidationPipe());
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}
