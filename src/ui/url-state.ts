/**
 * The part of the app's state that a URL shares: text, model, number of steps T, encoding, seed,
 * and the backend override (`?backend=cpu`). Pure: reads and writes query strings, no DOM.
 *
 * Query keys: `text`, `model` (a model folder URL relative to the page, e.g. `models/sst2-textcnn`),
 * `steps`, `encoding` (`rate` | `direct`), `seed`, `backend` (`auto` | `gpu` | `cpu`).
 * A value that does not parse is ignored (null), so a hand-edited link never breaks the page.
 */

/** Encodings the engine accepts. */
export type EncodingChoice = 'rate' | 'direct';

/** Backends a URL may ask for. */
export type BackendParam = 'auto' | 'gpu' | 'cpu' | 'reference';

/** What a URL says; null means "not given": the app uses the model's default. */
export interface UrlState {
  text: string;
  model: string | null;
  numSteps: number | null;
  encoding: EncodingChoice | null;
  seed: number | null;
  backend: BackendParam;
}

/** Largest T the engine accepts. */
export const MAX_STEPS = 1000;
/** Largest seed (u32). */
export const MAX_SEED = 0xffffffff;
/** Texts longer than this are cut when written into a URL (browsers and servers limit URL length). */
export const MAX_URL_TEXT = 2000;

function integerIn(value: string | null, min: number, max: number): number | null {
  if (value === null || value.trim() === '' || !/^\d+$/.test(value.trim())) return null;
  const number = Number(value.trim());
  return Number.isSafeInteger(number) && number >= min && number <= max ? number : null;
}

/** Reads the shared state from a query string (`?text=...&steps=16`, with or without the `?`). */
export function parseUrlState(search: string): UrlState {
  const params = new URLSearchParams(search);
  const encoding = params.get('encoding');
  const backend = params.get('backend');
  const model = params.get('model')?.trim();
  return {
    text: params.get('text') ?? '',
    model: model ? model : null,
    numSteps: integerIn(params.get('steps'), 1, MAX_STEPS),
    encoding: encoding === 'rate' || encoding === 'direct' ? encoding : null,
    seed: integerIn(params.get('seed'), 0, MAX_SEED),
    backend: backend === 'gpu' || backend === 'cpu' || backend === 'reference' ? backend : 'auto',
  };
}

/** The state a URL should carry (the text is cut to `MAX_URL_TEXT` characters). */
export interface ShareableState {
  text: string;
  model: string | null;
  numSteps: number;
  encoding: EncodingChoice;
  seed: number;
  backend: BackendParam;
}

/**
 * A query string (starting with `?`, or empty) for the state. Keys come in a fixed order so the
 * same state always gives the same URL; `backend=auto` is left out.
 */
export function serializeUrlState(state: ShareableState): { query: string; textTruncated: boolean } {
  const params = new URLSearchParams();
  const textTruncated = state.text.length > MAX_URL_TEXT;
  if (state.text) params.set('text', textTruncated ? state.text.slice(0, MAX_URL_TEXT) : state.text);
  if (state.model) params.set('model', state.model);
  params.set('steps', String(state.numSteps));
  params.set('encoding', state.encoding);
  params.set('seed', String(state.seed));
  if (state.backend !== 'auto') params.set('backend', state.backend);
  const query = params.toString();
  return { query: query ? `?${query}` : '', textTruncated };
}
