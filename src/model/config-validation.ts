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
import { array, distinctStrings, fail, integer, number, object, oneOf, positive, size, string, type Json } from './json-checks';
import { MAX_CHANNELS, MAX_LAYERS, MAX_STEPS, MAX_VOCABULARY, MAX_WIDTH, MIN_NORMAL_FLOAT32 } from './limits';
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
  const vocabulary = distinctStrings(root, 'vocabulary', '', MAX_VOCABULARY);
  const embedding = object(root.embedding, 'embedding');
  const embeddingConfig: ModelConfig['embedding'] = {
    source: string(embedding, 'source', 'embedding', true),
    tensor: string(embedding, 'tensor', 'embedding', true),
    statsSource: string(embedding, 'statsSource', 'embedding', true),
  };
  if (embedding.quantScale !== undefined) embeddingConfig.quantScale = number(embedding, 'quantScale', 'embedding', positive, 'must be a positive number');
  if (embedding.quantZero !== undefined) embeddingConfig.quantZero = number(embedding, 'quantZero', 'embedding');
  const numSteps = integer(root, 'numSteps', '', 1, MAX_STEPS);
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
  const encoder: EncoderSpec = {
    ...presentation,
    ...clipLow,
    ...binary,
    kind: oneOf(o, 'kind', path, ['rate', 'direct'] as const),
    embeddingDim: size(o, 'embeddingDim', path, MAX_CHANNELS),
    mean: number(o, 'mean', path),
    std: number(o, 'std', path, positive, 'must be a positive number'),
    clipSigmas: number(o, 'clipSigmas', path, positive, 'must be a positive number'),
    minLength: size(o, 'minLength', path, MAX_WIDTH),
  };
  checkEncoderRange(encoder, path);
  return encoder;
}

/**
 * The encoder's range in float32, computed as `firingProbabilities` computes it: the clip range
 * μ − kL·σ … μ + k·σ (or the binary threshold μ + kB·σ) must be finite and, for the clip range,
 * wider than 0; otherwise every firing probability would silently be NaN, 0 or 1.
 */
function checkEncoderRange(encoder: EncoderSpec, path: string): void {
  const f = Math.fround;
  const mu = f(encoder.mean);
  const sigma = f(encoder.std);
  if (encoder.binarySigmas !== undefined) {
    const threshold = f(mu + f(f(encoder.binarySigmas) * sigma));
    if (!Number.isFinite(threshold)) fail(`${path}.binarySigmas`, `mean + binarySigmas × std is ${threshold} in float32; make binarySigmas or std smaller`);
    return;
  }
  const kSigma = f(f(encoder.clipSigmas) * sigma);
  const lowSigma = f(f(encoder.clipLowSigmas ?? encoder.clipSigmas) * sigma);
  const high = f(mu + kSigma);
  const low = f(mu - lowSigma);
  const span = encoder.clipLowSigmas === undefined || encoder.clipLowSigmas === encoder.clipSigmas ? f(2 * kSigma) : f(high - low);
  if (!Number.isFinite(high) || !Number.isFinite(low) || !Number.isFinite(span)) {
    fail(`${path}.clipSigmas`, `the clip range mean ± clipSigmas × std overflows float32 ([${low}, ${high}]); make clipSigmas or std smaller`);
  }
  if (!(span >= MIN_NORMAL_FLOAT32)) {
    fail(`${path}.clipSigmas`, `the clip range mean ± clipSigmas × std is ${span} wide in float32; it must be wider than 1.2e-38: make clipSigmas or std larger`);
  }
}

function validateReadout(value: unknown, path: string): ReadoutSpec {
  const o = object(value, path);
  return { classes: distinctStrings(o, 'classes', path, MAX_CHANNELS), population: size(o, 'population', path, MAX_CHANNELS) };
}

/** The fields every layer has: kind, name and the names of its inputs. */
function layerBase(value: unknown, path: string): { kind: string; name: string; inputs?: string[] } {
  const o = object(value, path);
  const kind = oneOf(o, 'kind', path, LAYER_KINDS);
  const name = string(o, 'name', path, true);
  if (o.inputs === undefined) return { kind, name };
  const inputs = array(o, 'inputs', path, true);
  if (inputs.length > MAX_LAYERS) fail(`${path}.inputs`, `names ${inputs.length} inputs; a layer reads at most ${MAX_LAYERS}`);
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
  if (layerValues.length > MAX_LAYERS) fail(`${path}.layers`, `holds ${layerValues.length} layers; the limit is ${MAX_LAYERS}`);
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
