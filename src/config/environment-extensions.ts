import { IsOptional, IsString } from 'class-validator';

/** A class of environment variables: class-validator decorators, defaults as initialisers (like EnvironmentVariables). */
export type VariablesClass = new () => object;

/**
 * Variables a module reads that the base configuration does not know, and the checks across them: the port through
 * which notifications, webhook endpoints, orders and each payment provider tell config/ what to read and validate,
 * so config/ imports none of them. validateEnvironment reads, validates and types them with its own variables; the
 * ConfigService serves them like any other.
 */
export interface EnvironmentExtension {
  variables?: VariablesClass;
  /** Problems across variables, one line each, given the whole validated configuration. */
  check?: (config: Record<string, unknown>) => string[];
}

const extensions = new Map<string, EnvironmentExtension>();

/**
 * Declares (or redeclares) what `owner` reads from the environment. Modules call it when they are loaded, so it is in
 * place before the environment is read (main.ts and the CLI load src/environment.ts first; the app module loads it too).
 */
export function extendEnvironment(owner: string, extension: EnvironmentExtension): void {
  extensions.set(owner, extension);
}

export const environmentExtensions = (): EnvironmentExtension[] => [...extensions.values()];

/** A class of optional string variables (credentials and the like), for names only known at run time. */
export function optionalStrings(names: readonly string[]): VariablesClass {
  class OptionalStrings {
    [name: string]: string | undefined;
  }
  for (const name of names) {
    IsOptional()(OptionalStrings.prototype, name);
    IsString()(OptionalStrings.prototype, name);
  }
  return OptionalStrings;
}
