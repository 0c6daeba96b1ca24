import { randomBytes } from 'node:crypto';
import { SecretBox } from '../common/crypto/secret-box.js';
import { StoredSecretsService } from '../secrets/stored-secrets.service.js';
import { CLI_ACTOR, runCli, UsageError } from './cli-app.js';

const USAGE = `Usage: npm run keys -- <command>
  status    the key ring (the first key encrypts) and how many stored secrets (of every brand) each key holds
  rotate    re-encrypt every brand's stored secrets under the first key of ENCRYPTION_KEYS, one transaction per brand
  generate  print a new random key for ENCRYPTION_KEYS (32 bytes, base64)`;

const [command, ...rest] = process.argv.slice(2);

// A new key needs neither the configuration nor the database.
if (command === 'generate' && !rest.length) {
  process.stdout.write(`${randomBytes(32).toString('base64')}\n`);
  process.exit(0);
}

await runCli(USAGE, async ({ app, print }) => {
  if (rest.length) throw new UsageError(`Unexpected arguments: ${rest.join(' ')}`);
  const secrets = app.get(StoredSecretsService);
  const box = app.get(SecretBox);
  switch (command) {
    case 'status': {
      const usage = await secrets.usage();
      for (const id of box.keyIds) print(`${id === box.keyId ? 'encrypts' : 'decrypts'}  ${id}  ${usage.get(id) ?? 0} stored secret(s)`);
      for (const [id, count] of usage) if (!box.keyIds.includes(id)) print(`unknown   ${id}  ${count} stored secret(s)`);
      return;
    }
    case 'rotate': {
      const report = await secrets.rotate(CLI_ACTOR);
      const { settingsCredentials: s, webhookEndpointSecrets: w } = report;
      print(
        `Re-encrypted under key ${report.keyId}: ${s.rotated + w.rotated} secret(s) (settings credentials ${s.rotated}, webhook ` +
          `endpoint secrets ${w.rotated}); ` +
          `${s.unchanged + w.unchanged} already under it.`,
      );
      if (report.brands.length > 1)
        for (const brand of report.brands) {
          const [bs, bw] = [brand.settingsCredentials, brand.webhookEndpointSecrets];
          print(`  brand ${brand.slug}: ${bs.rotated + bw.rotated} re-encrypted, ${bs.unchanged + bw.unchanged} already under it`);
        }
      const older = box.keyIds.filter((id) => id !== box.keyId);
      if (older.length)
        print(
          `No stored secret uses ${older.join(', ')} any more: remove ${older.length > 1 ? 'them' : 'it'} from ENCRYPTION_KEYS ` +
            `after every instance runs with the new ring.`,
        );
      return;
    }
    default:
      throw new UsageError(command ? `Unknown command ${command}` : 'No command given');
  }
});
