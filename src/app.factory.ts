import { type INestApplication, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { createValidationPipe } from './common/http/validation.js';
import { configureHttp } from './ops/http.js';
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
  configureHttp(app);
  // After the body parsers, before the Nest pipeline: drop checkouts are refused or queued here in microseconds.
  app.use(app.get(DropAdmission).middleware);
  serveUi(app);
  app.useGlobalPipes(createValidationPipe());
  SwaggerModule.setup('docs', app, () => createOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}
