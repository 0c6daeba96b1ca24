import 'reflect-metadata';
import { existsSync } from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import '../environment.js';
import { ConfigurationError, validateEnvironment, type EnvironmentVariables } from '../config/configuration.js';
import { prepareDatabase, type Database } from '../database/database.js';
import { AppModule } from '../app.module.js';
import type { Actor } from '../common/actor.js';

/** Changes made from the command line are audited as the system acting through the CLI. */
export const CLI_ACTOR: Actor = { type: 'SYSTEM', id: 'cli' };

/** A mistake in the command line itself: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export interface CliContext {
  app: INestApplicationContext;
  config: EnvironmentVariables;
  print: (line: string) => void;
}

/**
 * Runs an operator command against the same database and configuration as the server (.env, DATABASE_URL or the
 * embedded PostgreSQL, migrations), inside an application context with no HTTP server and no scheduled jobs. Errors
 * are one line on stderr with exit code 1 (2 for a usage mistake).
 */
export async function runCli(usage: string, command: (cli: CliContext) => Promise<void>): Promise<never> {
  let database: Database | undefined;
  let app: INestApplicationContext | undefined;
  let exitCode = 0;
  try {
    if (existsSync('.env')) process.loadEnvFile('.env');
    const config = validateEnvironment(process.env);
    database = await prepareDatabase(config, () => undefined);
    process.env.DATABASE_URL = database.url;
    process.env.SCHEDULER_ENABLED = 'false';
    app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
    await command({ app, config, print: (line) => process.stdout.write(`${line}\n`) });
  } catch (error) {
    exitCode = error instanceof UsageError ? 2 : 1;
    const lines =
      error instanceof ConfigurationError
        ? error.problems.map((p) => `Configuration error: ${p}`)
        : [`Error: ${error instanceof Error ? error.message : String(error)}`, ...(error instanceof UsageError ? [usage] : [])];
    process.stderr.write(`${lines.join('\n')}\n`);
  } finally {
    await app?.close().catch(() => undefined);
    await database?.stop().catch(() => undefined);
  }
  process.exit(exitCode);
}
