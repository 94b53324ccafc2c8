/**
 * Checks a parsed `model.json` field by field and returns a clean, typed `ModelConfig`, or throws
 * a `ModelFormatError` naming the first thing wrong by its JSON path, what it must be and what it
 * was: `model.json: network.layers[2].vThreshold: must be positive numbers, got -1`.
 *
 * The network is checked as a whole too: layer order (convolutions before the single pool layer),
 * channel counts from layer to layer, unique layer names, a spiking last layer whose width is
 * classes × population, and a padded length long enough for every convolution branch.
 */
import { ModelFormatError } from './safetensors';
import { outputChannels } from './spec';
import type { AnnActivation, EncoderSpec, LayerSpec, NetworkSpec, NeuronLayerSpec, ReadoutSpec } from './spec';
import type { ModelConfig } from './format';

type Json = Record<string, unknown>;

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Throws the `model.json` error for `path`: "must …, got …". */
function fail(path: string, problem: string, got?: unknown): never {
  throw new ModelFormatError(`model.json: ${path}: ${problem}${arguments.length > 2 ? `, got ${show(got)}` : ''}`);
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be a JSON object', value);
  return value as Json;
}

function string(parent: Json, key: string, path: string, nonEmpty = false): string {
  const value = parent[key];
  if (typeof value !== 'string' || (nonEmpty && value.length === 0)) fail(join(path, key), nonEmpty ? 'must be a non-empty string' : 'must be a string', value);
  return value;
}

function oneOf<T extends string>(parent: Json, key: string, path: string, options: readonly T[]): T {
  const value = parent[key];
  if (!options.includes(value as T)) fail(join(path, key), `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}`, value);
  return value as T;
}

function integer(parent: Json, key: string, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = parent[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(join(path, key), max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer in [${min}, ${max}]`, value);
  }
  return value;
}

function number(parent: Json, key: string, path: string, valid: (x: number) => boolean = () => true, problem = 'must be a finite number'): number {
  const value = parent[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || !valid(value)) fail(join(path, key), problem, value);
  return value;
}

function boolean(parent: Json, key: string, path: string): boolean {
  const value = parent[key];
  if (typeof value !== 'boolean') fail(join(path, key), 'must be true or false', value);
  return value;
}

function array(parent: Json, key: string, path: string, nonEmpty: boolean): unknown[] {
  const value = parent[key];
  if (!Array.isArray(value) || (nonEmpty && value.length === 0)) fail(join(path, key), nonEmpty ? 'must be a non-empty array' : 'must be an array', value);
  return value;
}

/** Distinct non-empty strings (vocabulary words, class names). */
function distinctStrings(parent: Json, key: string, path: string): string[] {
  const where = join(path, key);
  const values = array(parent, key, path, true);
  const seen = new Map<string, number>();
  values.forEach((value, index) => {
    if (typeof value !== 'string' || value.length === 0) fail(`${where}[${index}]`, 'must be a non-empty string', value);
    const first = seen.get(value);
    if (first !== undefined) fail(`${where}[${index}]`, `repeats ${where}[${first}]; every entry must be unique`, value);
    seen.set(value, index);
  });
  return values as string[];
}

const positive = (x: number): boolean => x > 0;

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

function validateAnn(value: unknown, path: string): AnnActivation {
  const o = object(value, path);
  const kind = oneOf(o, 'kind', path, ['relu', 'identity', 'quant'] as const);
  if (kind !== 'quant') return { kind };
  return { kind, step: number(o, 'step', path, positive, 'must be a positive number'), levels: integer(o, 'levels', path, 2) };
}

/** The neuron fields shared by neuron and recurrent layers; `channels` bounds the threshold count. */
function validateNeuron(o: Json, path: string, channels: number): Omit<NeuronLayerSpec, 'kind' | 'name'> {
  const thresholds = array(o, 'vThreshold', path, true);
  for (const threshold of thresholds) {
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0) fail(`${path}.vThreshold`, 'must be positive numbers', threshold);
  }
  if (thresholds.length !== 1 && thresholds.length !== channels) {
    fail(`${path}.vThreshold`, `must hold 1 threshold or one per channel (${channels}), got ${thresholds.length} values`);
  }
  return {
    model: oneOf(o, 'model', path, ['IF', 'LIF', 'BIF'] as const),
    reset: oneOf(o, 'reset', path, ['soft', 'hard', 'none'] as const),
    vThreshold: thresholds as number[],
    beta: number(o, 'beta', path, (x) => x > 0 && x <= 1, 'must be in (0, 1]'),
    vReset: number(o, 'vReset', path),
    vInitFraction: number(o, 'vInitFraction', path),
    levels: integer(o, 'levels', path, 2),
    ann: validateAnn(o.ann, `${path}.ann`),
  };
}

function inputWidth(o: Json, key: string, path: string, channels: number): number {
  const value = integer(o, key, path, 1);
  if (value !== channels) fail(join(path, key), `must equal the ${channels} channels that the layer before outputs`, value);
  return value;
}

function validateLayer(value: unknown, path: string, channels: number, positional: boolean): LayerSpec {
  const o = object(value, path);
  const kind = oneOf(o, 'kind', path, ['conv', 'neuron', 'pool', 'linear', 'recurrent', 'token-recurrent'] as const);
  const name = string(o, 'name', path, true);
  switch (kind) {
    case 'conv': {
      if (!positional) fail(`${path}.kind`, 'a convolution must come before the pool layer (it runs over token positions)', kind);
      const inChannels = inputWidth(o, 'inChannels', path, channels);
      const widths = array(o, 'widths', path, true);
      widths.forEach((width, index) => {
        if (typeof width !== 'number' || !Number.isInteger(width) || width < 1) fail(`${path}.widths[${index}]`, 'must be an integer >= 1', width);
        if (widths.indexOf(width) !== index) fail(`${path}.widths[${index}]`, 'repeats an earlier width; each branch needs its own width', width);
      });
      return { kind, name, inChannels, widths: widths as number[], filters: integer(o, 'filters', path, 1), bias: boolean(o, 'bias', path) };
    }
    case 'neuron':
      return { kind, name, ...validateNeuron(o, path, channels) };
    case 'pool':
      if (!positional) fail(`${path}.kind`, 'only one pool layer is allowed', kind);
      return { kind, name, mode: oneOf(o, 'mode', path, ['avg', 'sum'] as const) };
    case 'linear':
      return { kind, name, inFeatures: inputWidth(o, 'inFeatures', path, channels), outFeatures: integer(o, 'outFeatures', path, 1), bias: boolean(o, 'bias', path) };
    case 'recurrent': {
      const inFeatures = inputWidth(o, 'inFeatures', path, channels);
      const hidden = integer(o, 'hidden', path, 1);
      return { kind, name, inFeatures, hidden, bias: boolean(o, 'bias', path), neuron: validateNeuron(object(o.neuron, `${path}.neuron`), `${path}.neuron`, hidden) };
    }
    case 'token-recurrent': {
      if (!positional) fail(`${path}.kind`, 'a token-recurrent layer must come before the pool layer (it runs over token positions)', kind);
      const hidden = inputWidth(o, 'hidden', path, channels);
      return { kind, name, hidden, neuron: validateNeuron(object(o.neuron, `${path}.neuron`), `${path}.neuron`, hidden) };
    }
  }
}

function validateReadout(value: unknown, path: string): ReadoutSpec {
  const o = object(value, path);
  return { classes: distinctStrings(o, 'classes', path), population: integer(o, 'population', path, 1) };
}

/** Validates `network`: each layer, then the order, widths and names of the whole. */
export function validateNetwork(value: unknown, path = 'network'): NetworkSpec {
  const o = object(value, path);
  const encoder = validateEncoder(o.encoder, `${path}.encoder`);
  const layerValues = array(o, 'layers', path, true);
  const layers: LayerSpec[] = [];
  const names = new Map<string, number>();
  let channels = encoder.embeddingDim;
  let positional = true;
  let widthsSpan = 0;
  layerValues.forEach((layerValue, index) => {
    const layerPath = `${path}.layers[${index}]`;
    const layer = validateLayer(layerValue, layerPath, channels, positional);
    const first = names.get(layer.name);
    if (first !== undefined) fail(`${layerPath}.name`, `is already the name of ${path}.layers[${first}]; give every layer its own name`, layer.name);
    names.set(layer.name, index);
    if (layer.kind === 'pool') positional = false;
    if (layer.kind === 'conv') widthsSpan += Math.max(...layer.widths) - 1;
    channels = outputChannels(layer, channels);
    layers.push(layer);
  });
  const readout = validateReadout(o.readout, `${path}.readout`);
  if (positional) fail(`${path}.layers`, 'must contain a pool layer: the readout counts the spikes of flat (pooled) outputs');
  const last = layers[layers.length - 1];
  if (last.kind !== 'neuron' && last.kind !== 'recurrent') {
    fail(`${path}.layers[${layers.length - 1}].kind`, 'the last layer must be a neuron or recurrent layer, whose spikes the readout counts', last.kind);
  }
  const outputs = readout.classes.length * readout.population;
  if (outputs !== channels) {
    fail(`${path}.readout`, `classes (${readout.classes.length}) × population (${readout.population}) = ${outputs} must equal the ${channels} outputs of the last layer`);
  }
  if (encoder.minLength < widthsSpan + 1) {
    fail(`${path}.encoder.minLength`, `must be at least ${widthsSpan + 1} so that every convolution branch has an output position`, encoder.minLength);
  }
  return { encoder, layers, readout };
}
