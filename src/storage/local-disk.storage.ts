import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ObjectStorage, IMAGE_EXTENSIONS, type StoredObject } from './object-storage.js';
import type { StorageEnvironment } from './storage-config.js';

/** A key the app itself made: folder/uuid.ext. Anything else (.., absolute paths, odd characters) names nothing. */
export const MEDIA_KEY = /^[a-z]+\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(jpg|png|gif|webp)$/;

/**
 * Files under MEDIA_DIR, served by GET /media/<key> (MediaController). Writes go to a temporary name first and are
 * renamed into place, so a reader never sees half a file.
 */
@Injectable()
export class LocalDiskStorage extends ObjectStorage {
  private readonly root: string;

  constructor(config: ConfigService<StorageEnvironment, true>) {
    super();
    this.root = path.resolve(config.get('MEDIA_DIR', { infer: true }));
  }

  async put(key: string, body: Buffer): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body, { flag: 'wx' });
  }

  async get(key: string): Promise<StoredObject | undefined> {
    if (!MEDIA_KEY.test(key)) return undefined;
    try {
      return { body: await readFile(this.file(key)), contentType: IMAGE_EXTENSIONS[key.split('.').pop() ?? ''] };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  publicUrl(key: string): string {
    return `/media/${key}`;
  }

  private file(key: string): string {
    if (!MEDIA_KEY.test(key)) throw new Error(`Not a media key: ${key}`);
    return path.join(this.root, key);
  }
}
