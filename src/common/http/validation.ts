import { ValidationError, ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage, ValidateIf, type MetadataStorage } from 'class-validator';
import { InvalidInputError, type FieldError } from '../errors/domain-errors.js';

/** Flattens class-validator's tree into one entry per failing field, with dotted paths (items.0.quantity). */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own: FieldError[] = error.constraints ? [{ field, errors: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

type RulesLookup = MetadataStorage['getTargetValidationMetadatas'];
type Rules = ReturnType<RulesLookup>;
type GroupedRules = ReturnType<MetadataStorage['groupByPropertyName']>;

/**
 * class-validator looks a class's rules up on every validated object by scanning the rules of every DTO class of the
 * app (for inherited ones), then groups them by property: per object, per request (measured: ~2% of a checkout's CPU).
 * The rules are fixed once the classes are loaded, so both answers are remembered per class and options; adding rules
 * later (a class loaded on first use) forgets them. The validator only reads what it gets back.
 */
function rememberValidationRules(storage: MetadataStorage): void {
  const marked = storage as MetadataStorage & { rulesRemembered?: true };
  if (marked.rulesRemembered) return;
  marked.rulesRemembered = true;
  let rules = new WeakMap<object, Map<string, Rules>>();
  let grouped = new WeakMap<Rules, GroupedRules>();
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const forget = <A extends unknown[]>(add: (...args: A) => void) =>
    function (...args: A) {
      rules = new WeakMap();
      grouped = new WeakMap();
      add(...args);
    };
  storage.addValidationMetadata = forget(storage.addValidationMetadata.bind(storage));
  storage.addConstraintMetadata = forget(storage.addConstraintMetadata.bind(storage));
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\0${always}\0${strictGroups}\0${groups?.join('\0') ?? ''}`;
    let byOptions = rules.get(target);
    if (!byOptions) rules.set(target, (byOptions = new Map<string, Rules>()));
    let found = byOptions.get(key);
    if (!found) byOptions.set(key, (found = lookUp(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
}

/** Reads a body of one DTO class into its instance when the body is plainly valid; undefined when in any doubt. */
type FastReader = (body: unknown) => object | undefined;
const fastReaders = new Map<unknown, FastReader>();

/**
 * For a hot route's body DTO: `read` turns the common, plainly valid body into the very instance class-transformer
 * and class-validator would have made (the same transforms, the same checks, class-validator's own check functions),
 * at a fraction of their cost, and returns undefined for anything else: an invalid or unusual body then goes through
 * the validation pipe as always, so every error a client sees still comes from the decorators. A spec compares the two
 * ways on valid bodies.
 */
export function readFastWhenValid<T extends object>(type: abstract new () => T, read: (body: unknown) => T | undefined): void {
  fastReaders.set(type, read);
}

/** ValidationPipe, but a body with a fast reader that accepts it skips class-transformer and class-validator. */
class FastPathValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const read = metadata.type === 'body' ? fastReaders.get(metadata.metatype) : undefined;
    const instance = read?.(value);
    return instance ? Promise.resolve(instance) : super.transform(value, metadata);
  }
}

/** The one validation pipe: strips nothing silently (unknown fields are errors) and reports every field. */
export function createValidationPipe(): ValidationPipe {
  rememberValidationRules(getMetadataStorage());
  return new FastPathValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new InvalidInputError(`Validation failed: ${details.map((d) => d.field).join(', ')}`, details);
    },
  });
}

/** Optional, but when present it may not be null (for PATCH fields that have no "cleared" state, like a name). */
export const IsOptionalNonNull = () => ValidateIf((_object, value) => value !== undefined);
