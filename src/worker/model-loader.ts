import { parseModel, type LoadedModel } from '../model/format';
import { ModelFormatError } from '../model/safetensors';

/** Largest `model.json` the app downloads (the shipped ones are under 1 MB; a 4-million-word vocabulary is about 40 MB). */
export const MAX_CONFIG_DOWNLOAD_BYTES = 64 * 1024 * 1024;
/** Largest `weights.safetensors` the app downloads (the shipped ones are about 7 MB). */
export const MAX_WEIGHTS_DOWNLOAD_BYTES = 512 * 1024 * 1024;

/**
 * The body of a response, read chunk by chunk and refused as soon as it passes `limit` bytes (or
 * at once when its Content-Length says so), so a huge or endless file is not held in memory.
 */
export async function readCapped(response: Response, limit: number, name: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  const tooLarge = (size: string) => new ModelFormatError(`${name}: is ${size}, more than the ${limit}-byte limit for a model file; this is not a Spikescope model`);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(`${declared} bytes`);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(`over ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Fetches a model folder served over HTTP (`<url>/model.json`, `<url>/weights.safetensors`) and
 * validates it. The folder must be on `origin` (the page's, where there is one): the page checks
 * links before it asks (model-path.ts), and the worker refuses anything else too.
 */
export async function fetchModel(url: string, origin: string | undefined = globalThis.location?.origin): Promise<LoadedModel> {
  const base = url.endsWith('/') ? url : `${url}/`;
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new ModelFormatError(`Could not load ${base}: it is not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ModelFormatError(`Could not load ${base.slice(0, 80)}: only http(s) model folders of this site are loaded.`);
  if (origin !== undefined && parsed.origin !== origin) throw new ModelFormatError(`Could not load ${base}: it is on another site (${parsed.origin}); only this site's models are loaded.`);
  const [configResponse, weightsResponse] = await Promise.all([fetch(`${base}model.json`), fetch(`${base}weights.safetensors`)]);
  for (const [response, file] of [
    [configResponse, 'model.json'],
    [weightsResponse, 'weights.safetensors'],
  ] as const) {
    if (!response.ok) throw new ModelFormatError(`Could not load ${base}${file}: HTTP ${response.status} ${response.statusText}`.trim());
  }
  const configBytes = await readCapped(configResponse, MAX_CONFIG_DOWNLOAD_BYTES, 'model.json');
  const configText = new TextDecoder().decode(configBytes);
  if (/^\s*</.test(configText)) {
    // Static servers with a fallback page answer a missing file with HTML and status 200.
    throw new ModelFormatError(`No model at ${base}: the server answered model.json with an HTML page.`);
  }
  return parseModel(configText, await readCapped(weightsResponse, MAX_WEIGHTS_DOWNLOAD_BYTES, 'weights.safetensors'));
}
