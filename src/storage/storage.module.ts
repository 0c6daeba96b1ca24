import { Module } from '@nestjs/common';
import './storage-config.js';
import { LocalDiskStorage } from './local-disk.storage.js';
import { MediaController } from './media.controller.js';
import { ObjectStorage } from './object-storage.js';

/** Uploaded files behind the ObjectStorage port; local disk (MEDIA_DIR) is the implementation wired here. */
@Module({
  controllers: [MediaController],
  providers: [{ provide: ObjectStorage, useClass: LocalDiskStorage }],
  exports: [ObjectStorage],
})
export class StorageModule {}
