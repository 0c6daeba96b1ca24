import { parseArgs } from 'node:util';
import { AdminAccountsService } from '../auth/admin-accounts.service.js';
import { generatePassword } from '../seed/seed.js';
import { CLI_ACTOR, runCli, UsageError } from './cli-app.js';

const USAGE = `Usage: npm run admin -- <command> --email <email> [--password <password>]
  create          --email <email> [--password <password>] [--name <name>] [--platform]
                  create an admin account (--platform: a platform admin, who manages the brands in platform mode)
  reset-password  --email <email> [--password <password>]                   set a new password
Without --password a random one is generated and printed once.`;

const [command, ...rest] = process.argv.slice(2);

await runCli(USAGE, async ({ app, print }) => {
  if (command !== 'create' && command !== 'reset-password')
    throw new UsageError(command ? `Unknown command ${command}` : 'No command given');
  let values: { email?: string; password?: string; name?: string; platform?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' }, platform: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.email) throw new UsageError('--email is required');
  const accounts = app.get(AdminAccountsService);
  const password = values.password ?? generatePassword();
  const shown = values.password ? '' : ` Password: ${password} (shown only now)`;
  switch (command) {
    case 'create': {
      const admin = await accounts.createAdmin(
        { email: values.email, password, name: values.name ?? 'Administrator', platform: values.platform },
        CLI_ACTOR,
      );
      print(`Created ${values.platform ? 'platform admin' : 'admin'} ${admin.email}.${shown}`);
      return;
    }
    case 'reset-password': {
      if (values.name || values.platform) throw new UsageError('--name and --platform apply to create only');
      const user = await accounts.resetPassword(values.email, password, CLI_ACTOR);
      print(`Password of ${user.email} (${user.role}) reset.${shown}`);
      return;
    }
  }
});
