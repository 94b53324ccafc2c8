/**
 * WGSL sources from `shaders/`, inlined at build time, with `#include "file.wgsl"` lines replaced by
 * the named file (once per shader). Shared snippets (RNG, neuron step, indexing) live in one place.
 */
import { neuronModelsWgsl } from '../neurons/models';

const sources = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

const byName = new Map<string, string>();
for (const [path, text] of Object.entries(sources)) byName.set(path.slice(path.lastIndexOf('/') + 1), text);
// Generated snippets: the neuron models' pieces, from their table.
byName.set('neuron_models.wgsl', neuronModelsWgsl());

/** Names of all WGSL files, e.g. `neuron.wgsl`. */
export function shaderNames(): string[] {
  return [...byName.keys()].sort();
}

/** The composed source of a shader file, includes resolved. */
export function shaderSource(name: string): string {
  return compose(name, new Set());
}

function compose(name: string, included: Set<string>): string {
  const text = byName.get(name);
  if (text === undefined) throw new Error(`No shader named ${name} in shaders/`);
  included.add(name);
  return text.replace(/^#include "([^"]+)"\s*$/gm, (_line, file: string) =>
    included.has(file) ? '' : compose(file, included),
  );
}
