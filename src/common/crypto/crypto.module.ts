import { Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '../../config/configuration.js';
import { readKeyRing } from './encryption-key-config.js';
import { SecretBox } from './secret-box.js';

/**
 * Provides the app's SecretBox over the key ring of ENCRYPTION_KEYS (or ENCRYPTION_KEY; validated at start; the
 * derived development key outside production).
 */
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [ConfigService],
      useFactory: (config: ConfigService<EnvironmentVariables, true>) => {
        const ring = readKeyRing({
          NODE_ENV: config.get('NODE_ENV', { infer: true }),
          ENCRYPTION_KEY: config.get('ENCRYPTION_KEY', { infer: true }),
          ENCRYPTION_KEYS: config.get('ENCRYPTION_KEYS', { infer: true }),
        });
        if (ring.development)
          new Logger('Encryption').warn(
            'ENCRYPTION_KEY is not set: using the development key. Set ENCRYPTION_KEYS before storing real secrets.',
          );
        return new SecretBox(ring.keys);
      },
    },
  ],
  exports: [SecretBox],
})
export class CryptoModule {}
