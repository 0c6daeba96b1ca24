import { Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '../../config/configuration.js';
import { developmentEncryptionKey, parseEncryptionKey, SecretBox } from './secret-box.js';

/** Provides the app's SecretBox under ENCRYPTION_KEY (validated at start; a derived development key outside production). */
@Module({
  providers: [
    {
      provide: SecretBox,
      inject: [ConfigService],
      useFactory: (config: ConfigService<EnvironmentVariables, true>) => {
        const configured = config.get('ENCRYPTION_KEY', { infer: true });
        if (configured) return new SecretBox(parseEncryptionKey(configured)!);
        new Logger('Encryption').warn('ENCRYPTION_KEY is not set: using the development key. Set ENCRYPTION_KEY before storing real secrets.');
        return new SecretBox(developmentEncryptionKey());
      },
    },
  ],
  exports: [SecretBox],
})
export class CryptoModule {}
