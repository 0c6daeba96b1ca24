export interface StartupBanner {
  port: number;
  /** What the first start did (seed's SeedResult): the admin account it created, with the password it generated. */
  firstStart: { createdAdmin?: { email: string; generatedPassword?: string } };
  /** Pretty logs go to a person at a terminal: the banner is a framed block of text, otherwise one JSON line. */
  pretty: boolean;
  /** Worker processes serving the port (WEB_CONCURRENCY above 1); unset for a single process. */
  workers?: number;
}

/** The lines of the banner: where the API, its docs and the console are, and a generated admin password (once). */
export function bannerLines({ port, firstStart, workers }: Pick<StartupBanner, 'port' | 'firstStart' | 'workers'>): string[] {
  const url = `http://localhost:${port}`;
  const lines = [`Orderline is running at ${url}`, `  API docs   ${url}/docs`, `  Console    ${url}/console`];
  if (workers) lines.push(`  Workers    ${workers} processes (WEB_CONCURRENCY)`);
  const admin = firstStart.createdAdmin;
  if (admin?.generatedPassword) {
    lines.push(
      `  Admin      ${admin.email}  password: ${admin.generatedPassword}`,
      '             (shown only now; change it with: npm run admin -- reset-password --email <email>)',
    );
  } else if (admin) {
    lines.push(`  Admin      ${admin.email} (password from ADMIN_PASSWORD)`);
  }
  return lines;
}

/**
 * Prints the banner once the server listens: a framed block for a terminal, otherwise one structured log line
 * (`log` must be the app's logger, so that the line comes after Nest's own start-up lines).
 */
export function printStartupBanner(
  banner: StartupBanner,
  log: (fields: Record<string, unknown>) => void,
  write: (text: string) => void = (t) => process.stdout.write(t),
): void {
  const url = `http://localhost:${banner.port}`;
  if (!banner.pretty) {
    const admin = banner.firstStart.createdAdmin;
    log({
      msg: bannerLines(banner).join('\n'),
      url,
      docsUrl: `${url}/docs`,
      consoleUrl: `${url}/console`,
      ...(banner.workers && { workers: banner.workers }),
      ...(admin && { adminEmail: admin.email }),
    });
    return;
  }
  const lines = bannerLines(banner);
  const width = Math.max(...lines.map((l) => l.length)) + 2;
  const rule = `+${'-'.repeat(width)}+`;
  write(`\n${rule}\n${lines.map((l) => `| ${l.padEnd(width - 1)}|`).join('\n')}\n${rule}\n\n`);
}
