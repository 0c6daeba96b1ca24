import type { NextFunction, Request, Response } from 'express';
import { InvalidInputError } from '../common/errors/domain-errors.js';

/** No request Orderline accepts nests deeper; validation (class-transformer) recurses per level and would overflow. */
export const MAX_JSON_DEPTH = 32;

export class JsonTooDeepError extends InvalidInputError {
  constructor() {
    super(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`, { code: 'JSON_TOO_DEEP', maxDepth: MAX_JSON_DEPTH });
  }
}

/** Whether objects and arrays nest more than `max` levels (walked with a stack, not recursion: the input is hostile). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [node, depth] = entry;
    if (depth > max) return true;
    for (const child of Object.values(node as object)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** Runs right after the JSON body parser: a body nested deeper than MAX_JSON_DEPTH is a 400 before anything reads it. */
export function limitJsonDepth(req: Request, _res: Response, next: NextFunction): void {
  const body: unknown = req.body;
  next(body !== null && typeof body === 'object' && nestsDeeperThan(body, MAX_JSON_DEPTH) ? new JsonTooDeepError() : undefined);
}
