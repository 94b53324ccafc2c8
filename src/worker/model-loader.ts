import { parseModel, type LoadedModel } from '../model/format';
import { ModelFormatError } from '../model/safetensors';

/** Fetches a model folder served over HTTP (`<url>/model.json`, `<url>/weights.safetensors`) and validates it. */
export async function fetchModel(url: string): Promise<LoadedModel> {
  const base = url.endsWith('/') ? url : `${url}/`;
  const [configResponse, weightsResponse] = await Promise.all([fetch(`${base}model.json`), fetch(`${base}weights.safetensors`)]);
  for (const [response, file] of [
    [configResponse, 'model.json'],
    [weightsResponse, 'weights.safetensors'],
  ] as const) {
    if (!response.ok) throw new ModelFormatError(`Could not load ${base}${file}: HTTP ${response.status} ${response.statusText}`.trim());
  }
  const configText = await configResponse.text();
  if (/^\s*</.test(configText)) {
    // Static servers with a fallback page answer a missing file with HTML and status 200.
    throw new ModelFormatError(`No model at ${base}: the server answered model.json with an HTML page.`);
  }
  return parseModel(configText, new Uint8Array(await weightsResponse.arrayBuffer()));
}
