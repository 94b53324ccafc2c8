/**
 * Field checks for model.json: each returns the typed value or throws a `ModelFormatError` naming
 * the field by its JSON path, what it must be and what it was.
 */
import type { Json } from '../layers/types';
import { show } from './describe-value';
import { holdsInFloat32 } from './limits';
import { ModelFormatError } from './safetensors';

export type { Json };

/** A value for a message: at most 80 characters on one line, whatever its size or depth. */
export { show };

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Throws the `model.json` error for `path`: "must …, got …". */
export function fail(path: string, problem: string, got?: unknown): never {
  throw new ModelFormatError(`model.json: ${path}: ${problem}${arguments.length > 2 ? `, got ${show(got)}` : ''}`);
}

export function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be a JSON object', value);
  return value as Json;
}

export function string(parent: Json, key: string, path: string, nonEmpty = false): string {
  const value = parent[key];
  if (typeof value !== 'string' || (nonEmpty && value.length === 0)) fail(join(path, key), nonEmpty ? 'must be a non-empty string' : 'must be a string', value);
  return value;
}

export function oneOf<T extends string>(parent: Json, key: string, path: string, options: readonly T[]): T {
  const value = parent[key];
  if (!options.includes(value as T)) fail(join(path, key), `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}`, value);
  return value as T;
}

export function integer(parent: Json, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = parent[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(join(path, key), max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer in [${min}, ${max}]`, value);
  }
  return value;
}

/**
 * A number of model.json that the engine uses as float32: finite, `valid`, and held by float32
 * without becoming 0, subnormal or infinite (1e-50 and 1e39 are fine float64 values but not float32 ones).
 */
export function number(parent: Json, key: string, path: string, valid: (x: number) => boolean = () => true, problem = 'must be a finite number'): number {
  const value = parent[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || !valid(value)) fail(join(path, key), problem, value);
  if (!holdsInFloat32(value)) fail(join(path, key), `${problem}; the engine computes in float32, which holds 0 or magnitudes from 1.2e-38 to 3.4e38`, value);
  return value;
}

/** A size of model.json: an integer in [1, max], checked before anything is allocated from it. */
export function size(parent: Json, key: string, path: string, max: number): number {
  return integer(parent, key, path, 1, max);
}

export function boolean(parent: Json, key: string, path: string): boolean {
  const value = parent[key];
  if (typeof value !== 'boolean') fail(join(path, key), 'must be true or false', value);
  return value;
}

export function array(parent: Json, key: string, path: string, nonEmpty: boolean): unknown[] {
  const value = parent[key];
  if (!Array.isArray(value) || (nonEmpty && value.length === 0)) fail(join(path, key), nonEmpty ? 'must be a non-empty array' : 'must be an array', value);
  return value;
}

/** Distinct non-empty strings (vocabulary words, class names). */
export function distinctStrings(parent: Json, key: string, path: string, max = Number.MAX_SAFE_INTEGER): string[] {
  const where = join(path, key);
  const values = array(parent, key, path, true);
  if (values.length > max) fail(where, `holds ${values.length} entries; the limit is ${max}`);
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    if (typeof value !== 'string' || value.length === 0) fail(`${where}[${index}]`, 'must be a non-empty string', value);
    const first = seen.get(value);
    if (first !== undefined) fail(`${where}[${index}]`, `repeats ${where}[${first}]; every entry must be unique`, value);
    seen.set(value, index);
  });
  return values as string[];
}

export const positive = (x: number): boolean => x > 0;

/** Deepest nesting of objects and arrays that model.json may have (a model needs about 5). */
export const MAX_JSON_DEPTH = 64;

/**
 * Throws the `model.json` error for the first value nested deeper than `maxDepth` objects and
 * arrays, naming its path. Iterative, so a file nested 100,000 deep is refused instead of
 * overflowing the stack of whatever walks it later (a message, a copy to the worker).
 */
export function checkDepth(root: unknown, maxDepth = MAX_JSON_DEPTH): void {
  interface Frame {
    value: object;
    depth: number;
    parent: Frame | null;
    key: string;
  }
  if (typeof root !== 'object' || root === null) return;
  const stack: Frame[] = [{ value: root, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > maxDepth) fail(`${pathOf(frame)}`, `nests objects and arrays more than ${maxDepth} deep; a model needs only a few levels`);
    const isArray = Array.isArray(frame.value);
    for (const key of Object.keys(frame.value)) {
      const child = (frame.value as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: frame.depth + 1, parent: frame, key: isArray ? `[${key}]` : key });
    }
  }

  function pathOf(frame: Frame): string {
    const keys: string[] = [];
    for (let f: Frame | null = frame; f && f.parent; f = f.parent) keys.push(f.key.length > 40 ? `${f.key.slice(0, 37)}...` : f.key);
    keys.reverse();
    const shown = keys.length > 6 ? keys.slice(0, 5) : keys;
    const path = shown.reduce((text, key) => (key.startsWith('[') || text === '' ? `${text}${key}` : `${text}.${key}`), '');
    return `${path || '(top level)'}${shown.length < keys.length ? '...' : ''}`;
  }
}

