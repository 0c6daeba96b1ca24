import { type INestApplication, type NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { createValidationPipe } from './common/http/validation.js';
import { configureHttp } from './ops/http.js';

/** Builds the fully configured HTTP app. main.ts and the e2e tests both use this, so tests run what ships. */
export async function createApp(options: NestApplicationOptions = {}): Promise<INestApplication> {
  const silent = options.logger === false;
  // abortOnError: false hands start-up errors to the caller (main.ts prints them) instead of exiting the process.
  const app = await NestFactory.create(AppModule, { rawBody: true, bufferLogs: !silent, abortOnError: false, ...options });
  // Nest's own lines (bootstrap, errors) go through the same JSON logger as the request lines.
  if (!silent) app.useLogger(app.get(Logger));
  configureHttp(app);
  app.useGlobalPipes(createValidationPipe());

  const openApi = new DocumentBuilder()
    .setTitle('Orderline API')
    .setDescription('Orders and payments for direct-to-consumer brands. Money is integer minor units plus an ISO 4217 currency.')
    .setVersion('1.0')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), { jsonDocumentUrl: 'docs-json' });
  return app;
}
