/**
 * Checks a parsed `model.json` field by field and returns a clean, typed `ModelConfig`, or throws
 * a `ModelFormatError` naming the first thing wrong by its JSON path, what it must be and what it
 * was: `model.json: network.layers[2].vThreshold: must be positive numbers, got -1`.
 *
 * The network is checked as a whole too: layer order (convolutions before the single pool layer),
 * channel counts from layer to layer, unique layer names, a spiking last layer whose width is
 * classes × population, and a padded length long enough for every convolution branch.
 */
import { buildGraph, NetworkGraphError } from '../layers/graph';
import { LAYER_KINDS, layerModule } from '../layers/registry';
import type { ModelConfig } from './format';
import { array, distinctStrings, fail, integer, number, object, oneOf, positive, string, type Json } from './json-checks';
import type { EncoderSpec, LayerSpec, NetworkSpec, ReadoutSpec } from './spec';

/** Validates the whole config (see the module comment); the result holds only known fields. */
export function validateConfig(value: unknown): ModelConfig {
  const root = object(value, '(top level)');
  if (root.format !== 'spikescope-model') fail('format', 'must be "spikescope-model"; this is not a Spikescope model file', root.format);
  if (root.version !== 1) fail('version', 'this build of Spikescope reads version 1; update Spikescope or re-export the model', root.version);
  const name = string(root, 'name', '', true);
  const description = string(root, 'description', '');
  const language = oneOf(root, 'language', '', ['en', 'zh'] as const);
  const tokenizer = oneOf(root, 'tokenizer', '', ['english', 'chinese'] as const);
  const network = validateNetwork(root.network);
  const vocabulary = distinctStrings(root, 'vocabulary', '');
  const embedding = object(root.embedding, 'embedding');
  const embeddingConfig: ModelConfig['embedding'] = {
    source: string(embedding, 'source', 'embedding', true),
    tensor: string(embedding, 'tensor', 'embedding', true),
    statsSource: string(embedding, 'statsSource', 'embedding', true),
  };
  if (embedding.quantScale !== undefined) embeddingConfig.quantScale = number(embedding, 'quantScale', 'embedding', positive, 'must be a positive number');
  if (embedding.quantZero !== undefined) embeddingConfig.quantZero = number(embedding, 'quantZero', 'embedding');
  const numSteps = integer(root, 'numSteps', '', 1);
  const defaultEncoding = oneOf(root, 'defaultEncoding', '', ['rate', 'direct'] as const);
  const seed = integer(root, 'seed', '', 0, 0xffffffff);
  const provenance = object(root.provenance, 'provenance');
  return {
    format: 'spikescope-model',
    version: 1,
    name,
    description,
    language,
    tokenizer,
    network,
    vocabulary,
    embedding: embeddingConfig,
    numSteps,
    defaultEncoding,
    seed,
    provenance: {
      command: string(provenance, 'command', 'provenance'),
      createdAt: string(provenance, 'createdAt', 'provenance'),
      dataset: string(provenance, 'dataset', 'provenance'),
      split: string(provenance, 'split', 'provenance'),
      seed: integer(provenance, 'seed', 'provenance', 0, 0xffffffff),
      notes: string(provenance, 'notes', 'provenance'),
    },
    metrics: object(root.metrics, 'metrics'),
  };
}

function validateEncoder(value: unknown, path: string): EncoderSpec {
  const o = object(value, path);
  const presentation = o.presentation === undefined ? {} : { presentation: oneOf(o, 'presentation', path, ['every-step', 'first-step'] as const) };
  const clipLow = o.clipLowSigmas === undefined ? {} : { clipLowSigmas: number(o, 'clipLowSigmas', path, (x) => x >= 0, 'must be a number >= 0') };
  const binary = o.binarySigmas === undefined ? {} : { binarySigmas: number(o, 'binarySigmas', path, (x) => Number.isFinite(x), 'must be a finite number') };
  return {
    ...presentation,
    ...clipLow,
    ...binary,
    kind: oneOf(o, 'kind', path, ['rate', 'direct'] as const),
    embeddingDim: integer(o, 'embeddingDim', path, 1),
    mean: number(o, 'mean', path),
    std: number(o, 'std', path, positive, 'must be a positive number'),
    clipSigmas: number(o, 'clipSigmas', path, positive, 'must be a positive number'),
    minLength: integer(o, 'minLength', path, 1),
  };
}

function validateReadout(value: unknown, path: string): ReadoutSpec {
  const o = object(value, path);
  return { classes: distinctStrings(o, 'classes', path), population: integer(o, 'population', path, 1) };
}

/** The fields every layer has: kind, name and the names of its inputs. */
function layerBase(value: unknown, path: string): { kind: string; name: string; inputs?: string[] } {
  const o = object(value, path);
  const kind = oneOf(o, 'kind', path, LAYER_KINDS);
  const name = string(o, 'name', path, true);
  if (o.inputs === undefined) return { kind, name };
  const inputs = array(o, 'inputs', path, true);
  inputs.forEach((input, k) => {
    if (typeof input !== 'string' || input.length === 0) fail(`${path}.inputs[${k}]`, 'must be the name of a layer', input);
  });
  return { kind, name, inputs: inputs as string[] };
}

/**
 * Validates `network`: each layer by its module (with the shapes of the values it reads), then
 * the graph as a whole (names, inputs, every output read, a pooled spiking last layer), the
 * readout's width and the padded length.
 */
export function validateNetwork(value: unknown, path = 'network'): NetworkSpec {
  const o = object(value, path);
  const encoder = validateEncoder(o.encoder, `${path}.encoder`);
  const layerValues = array(o, 'layers', path, true);
  const bases = layerValues.map((layerValue, index) => layerBase(layerValue, `${path}.layers[${index}]`));
  const layers: LayerSpec[] = [];
  let graph;
  try {
    graph = buildGraph(encoder.embeddingDim, bases, (index, inputs) => {
      const layerPath = `${path}.layers[${index}]`;
      const base = bases[index];
      const spec = layerModule(base.kind).parse(layerValues[index] as Json, layerPath, { name: base.name, ...(base.inputs ? { inputs: base.inputs } : {}) }, inputs);
      layers.push(spec as LayerSpec);
      return spec as LayerSpec;
    });
  } catch (error) {
    if (!(error instanceof NetworkGraphError)) throw error;
    const at = error.layer === null ? `${path}.layers` : `${path}.layers[${error.layer}]${error.field ? `.${error.field}` : ''}`;
    fail(at, error.text((index) => `${path}.layers[${index}]`));
  }
  const readout = validateReadout(o.readout, `${path}.readout`);
  const last = graph.nodes[graph.nodes.length - 1];
  const outputs = readout.classes.length * readout.population;
  if (outputs !== last.shape.channels) {
    fail(`${path}.readout`, `classes (${readout.classes.length}) × population (${readout.population}) = ${outputs} must equal the ${last.shape.channels} outputs of the last layer`);
  }
  if (encoder.minLength < graph.maxSpan) {
    fail(`${path}.encoder.minLength`, `must be at least ${graph.maxSpan} so that every convolution branch has an output position`, encoder.minLength);
  }
  return { encoder, layers, readout };
}
