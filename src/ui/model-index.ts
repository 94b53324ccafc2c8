/**
 * The list of models shipped with the app, `models/index.json`:
 * `{"models": [{"id", "path", "name", "language": "en" | "zh", "default"?: true}]}`.
 * Pure: parses and chooses; fetching is the app's job.
 */

/** One shipped model. `path` is the model folder relative to the page (`models/<id>`). */
export interface ModelIndexEntry {
  id: string;
  path: string;
  name: string;
  language: 'en' | 'zh';
  default?: boolean;
}

/** `index.json` is not what the app expects; the message names the entry and field. */
export class ModelIndexError extends Error {
  override name = 'ModelIndexError';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates the parsed JSON of `index.json`; throws `ModelIndexError` naming the first problem. */
export function parseModelIndex(json: unknown): ModelIndexEntry[] {
  if (!isObject(json) || !Array.isArray(json.models)) throw new ModelIndexError('models/index.json must be an object with a "models" array.');
  return json.models.map((entry: unknown, index: number): ModelIndexEntry => {
    const where = `models/index.json: models[${index}]`;
    if (!isObject(entry)) throw new ModelIndexError(`${where} must be an object.`);
    for (const field of ['id', 'path', 'name'] as const) {
      if (typeof entry[field] !== 'string' || (entry[field] as string).trim() === '') throw new ModelIndexError(`${where}.${field} must be a non-empty string.`);
    }
    if (entry.language !== 'en' && entry.language !== 'zh') throw new ModelIndexError(`${where}.language must be "en" or "zh".`);
    return {
      id: entry.id as string,
      path: entry.path as string,
      name: entry.name as string,
      language: entry.language,
      ...(entry.default === true ? { default: true } : {}),
    };
  });
}

/** The model the app opens with: the entry marked `default`, else the first; null when none is shipped. */
export function defaultModelEntry(entries: readonly ModelIndexEntry[]): ModelIndexEntry | null {
  return entries.find((entry) => entry.default) ?? entries[0] ?? null;
}

/** Two model paths name the same folder (`models/x`, `./models/x/`). */
export function samePath(a: string, b: string): boolean {
  const normal = (path: string) => path.trim().replace(/^\.\//, '').replace(/\/+$/, '');
  return normal(a) === normal(b);
}
