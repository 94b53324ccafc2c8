/**
 * Values and names shown in error messages: short, on one line, and safe for any input (a value
 * nested 100,000 deep, a name of a megabyte, control characters). Pure code.
 */

/** Longest message an error of the model format keeps (names and values are shortened before that). */
export const MAX_MESSAGE_CHARACTERS = 2000;

const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/g;

/** The text with line breaks and other control characters escaped (`\n`, `\u0000`), so it stays one line. */
export function oneLine(text: string): string {
  return text.replace(CONTROL, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** At most `max` characters of `text`, ending in `...` when shortened. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 3))}...` : text;
}

/** A name (tensor, layer, word) in quotes, escaped and at most about 60 characters. */
export function quoteName(name: string): string {
  return oneLine(name.length > 60 ? `${JSON.stringify(name.slice(0, 57))}...` : JSON.stringify(name));
}

/**
 * A short one-line rendering of a JSON value (at most `max` characters), `nothing` for undefined.
 * Looks at most a few levels deep and a few dozen entries wide, so its cost does not depend on the
 * size or depth of the value.
 */
export function show(value: unknown, max = 80): string {
  if (value === undefined) return 'nothing';
  return clip(render(value, max + 1, 4), max);
}

function render(value: unknown, budget: number, depth: number): string {
  if (typeof value === 'string') return oneLine(JSON.stringify(value.length > budget ? value.slice(0, budget) : value));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value !== 'object') return oneLine(String(value)).slice(0, budget);
  const isArray = Array.isArray(value);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (depth === 0) return `${open}...${close}`;
  let text = open;
  let first = true;
  const keys = isArray ? null : Object.keys(value);
  const count = isArray ? (value as unknown[]).length : keys!.length;
  for (let i = 0; i < count; i++) {
    if (text.length >= budget) {
      text += '...';
      break;
    }
    const item = isArray ? (value as unknown[])[i] : (value as Record<string, unknown>)[keys![i]];
    const key = isArray ? '' : `${render(keys![i], budget - text.length, 0)}:`;
    text += `${first ? '' : ','}${key}${render(item, budget - text.length, depth - 1)}`;
    first = false;
  }
  return text + close;
}
