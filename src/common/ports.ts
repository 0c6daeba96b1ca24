import type { Type } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';

/** A port: an abstract class that a lower module owns and a higher module implements and provides. */
type Port<T> = abstract new (...args: never[]) => T;

/**
 * The implementation of a port, looked up in the whole app (the lower module never imports the higher one). Call it
 * once every module exists: in onModuleInit or later.
 */
export function implementationOf<T>(moduleRef: ModuleRef, port: Port<T>): T {
  return moduleRef.get(port as unknown as Type<T>, { strict: false });
}

/** Every implementation of a port that modules of the app provide (none is an empty list). */
export function implementationsOf<T>(moduleRef: ModuleRef, port: Port<T>): T[] {
  try {
    return moduleRef.get(port as unknown as Type<T>, { strict: false, each: true });
  } catch {
    return [];
  }
}
