/**
 * Prints the app's OpenAPI document (npm run api:generate writes it to clients/ts/openapi.json). No database is
 * needed: the app is created but never started, and PrismaService's pool connects only on a first query.
 */
import 'reflect-metadata';

// Configuration is validated when the app module is imported, so the placeholder goes in first.
process.env.DATABASE_URL ??= 'postgresql://openapi@127.0.0.1:9/never-connected';
const { NestFactory } = await import('@nestjs/core');
const { AppModule } = await import('./app.module.js');
const { createOpenApiDocument } = await import('./openapi-document.js');

const app = await NestFactory.create(AppModule, { logger: false });
process.stdout.write(`${JSON.stringify(createOpenApiDocument(app), null, 2)}\n`);
await app.close();
