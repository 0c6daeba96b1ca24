import { IsOptional, IsString } from 'class-validator';
import { extendEnvironment } from '../config/environment-extensions.js';

/** Where uploads are kept on local disk (relative to the working directory, or absolute). */
export class StorageEnvironment {
  @IsOptional() @IsString() MEDIA_DIR = '.data/media';
}

extendEnvironment('storage', { variables: StorageEnvironment });
