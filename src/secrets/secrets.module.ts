import { Module } from '@nestjs/common';
import { CryptoModule } from '../common/crypto/crypto.module.js';
import { StoredSecretsService } from './stored-secrets.service.js';

/** The encrypted secrets at rest as a whole: the start-up key check and `npm run keys` (rotation, usage). */
@Module({ imports: [CryptoModule], providers: [StoredSecretsService], exports: [StoredSecretsService] })
export class SecretsModule {}
