/**
 * A Spikescope model as a NIR graph (architecture §10.4), and the graph's input for a text.
 *
 * - **Along the words** (LITE-SNN: width-1 convolutions and `sequence-neuron` layers, then a sum
 *   over the words and a linear readout): NIR's time runs over the words, `numSteps` steps per word;
 *   the input is one word's encoded vector per step; the neurons are LIF (or IF) nodes whose
 *   membrane carries from word to word, as in Spikescope. The graph has no fixed length.
 * - **Over positions** (the spiking TextCNN): every position at once, at a fixed padded length N;
 *   the input is `[channels, N]` per step; each convolution branch is a Conv1d and its neurons,
 *   the pooling over positions an Affine per branch into the next layer (several edges into a node
 *   are summed, so the branches' blocks side by side make their concatenation).
 *
 * An initial potential (`vInitFraction`, 0.5·θ in the IF TextCNN) has no NIR parameter: the export
 * adds a "pulse" input channel, 1 at step 0 and 0 afterwards, whose weights put v_init into each
 * neuron at the first step. Every neuron reset is by subtraction at once (`--reset subtract`), or
 * to v_reset (`zero`); a model mixing them, BIF neurons (they fire negative spikes, which NIR's
 * neurons cannot) and recurrent or LSTM layers are refused in one line.
 */
import { convBiasName, convWeightName } from '../layers/conv';
import type { LoadedModel } from '../model/format';
import type { NetworkSpec, NeuronSpec } from '../model/spec';
import { tokenize } from '../model/tokenizer';
import { encodeReference } from '../reference/encode';
import type { NirReset } from './compile';
import { NirFormatError, type NirArray, type NirConv, type NirGraph, type NirMetadata, type NirNode } from './types';

/** The step NIR's time constants are written for (snnTorch's convention). */
export const EXPORT_DT = 1e-4;
/** The longest fixed length a positional export takes. */
export const MAX_EXPORT_LENGTH = 1024;

export interface NirExport {
  graph: NirGraph;
  reset: NirReset;
  dt: number;
  /** `words`: one row per word and step; `positions`: one row per step, `[channels][length]`. */
  layout: 'words' | 'positions';
  /** Positional exports: the fixed number of tokens. */
  length?: number;
  /** Whether the input has the pulse channel (last), 1 at step 0 only. */
  pulse: boolean;
  /** Channels per position (or per word), the pulse channel included. */
  channels: number;
  /** How the output becomes class scores. */
  readout: string;
}

/** Refusals name the model's layer and why NIR cannot hold it. */
function refuse(message: string): never {
  throw new NirFormatError(`cannot export to NIR: ${message}`);
}

const arr = (data: Float32Array | number[], shape: number[]): NirArray => ({ data: data instanceof Float32Array ? data : Float32Array.from(data), shape });
const fill = (n: number, x: number): Float32Array => new Float32Array(n).fill(x);

function perChannel(values: number | number[], channels: number): Float32Array {
  if (typeof values === 'number') return fill(channels, values);
  return values.length === 1 ? fill(channels, values[0]) : Float32Array.from(values);
}

/**
 * A NIR neuron node for a Spikescope neuron layer of `channels`, over `positions` (a convolution
 * branch's output, `[channels, positions]` even when positions is 1) or none (`[channels]`).
 */
function neuronNode(name: string, spec: NeuronSpec, channels: number, positions: number | null, dt: number): NirNode {
  if (spec.model === 'BIF') refuse(`layer '${name}' has BIF neurons, which fire negative spikes; NIR's neurons fire only positive ones`);
  const shape = positions === null ? [channels] : [channels, positions];
  const size = channels * (positions ?? 1);
  // NIR's layout is [channel][position]: expand per-channel values along the positions.
  const expand = (values: Float32Array) => {
    const out = new Float32Array(size);
    const per = positions ?? 1;
    for (let c = 0; c < channels; c++) out.fill(values[c], c * per, (c + 1) * per);
    return arr(out, shape);
  };
  const threshold = perChannel(spec.vThreshold, channels);
  const vReset = fill(channels, spec.reset === 'hard' ? spec.vReset : 0);
  const beta = spec.model === 'IF' ? fill(channels, 1) : perChannel(spec.beta, channels);
  if (beta.every((b) => b === 1)) {
    return { type: 'IF', r: arr(fill(size, 1 / dt), shape), vThreshold: expand(threshold), vReset: expand(vReset) };
  }
  // h = β·v + x  ⇔  forward Euler of τ·dv/dt = −v + R·I with τ = dt / (1 − β), R = τ / dt.
  // A channel that does not leak (β = 1) beside leaky ones gets τ = 2^26·dt: 1 − dt/τ rounds to 1 in float32.
  const tau = beta.map((b) => (b === 1 ? dt * 2 ** 26 : dt / (1 - b)));
  return { type: 'LIF', tau: expand(tau), r: expand(tau.map((t) => t / dt)), vLeak: expand(fill(channels, 0)), vThreshold: expand(threshold), vReset: expand(vReset) };
}

function graphResetOf(spec: NetworkSpec): NirReset {
  const neurons = spec.layers.filter((l) => l.kind === 'neuron' || l.kind === 'sequence-neuron') as (NeuronSpec & { name: string })[];
  const resets = new Set(neurons.map((n) => n.reset));
  if (resets.size > 1) refuse('its neuron layers reset in different ways; a NIR run has one reset');
  return resets.has('hard') ? 'zero' : 'subtract';
}

/** The model as a NIR graph; `length` is the fixed number of tokens of a positional export. */
export function exportModel(model: LoadedModel, options: { length?: number; dt?: number } = {}): NirExport {
  const spec = model.spec;
  const dt = options.dt ?? EXPORT_DT;
  for (const layer of spec.layers) {
    if ('inputs' in layer && (layer as { inputs?: unknown }).inputs !== undefined) refuse(`layer '${layer.name}' reads several layers; only chains of layers are exported`);
    if (!['conv', 'neuron', 'sequence-neuron', 'pool', 'linear'].includes(layer.kind)) refuse(`layer '${layer.name}' is a ${layer.kind} layer, which has no NIR form here`);
  }
  const bif = spec.layers.find((l) => (l.kind === 'neuron' || l.kind === 'sequence-neuron') && l.model === 'BIF');
  if (bif) refuse(`layer '${bif.name}' has BIF neurons, which fire negative spikes; NIR's neurons fire only positive ones`);
  if (spec.encoder.presentation === 'first-step') refuse('its input is presented at the first step only');
  if (spec.encoder.binarySigmas !== undefined && spec.encoder.kind === 'direct') refuse('its binary direct input');
  const reset = graphResetOf(spec);
  const sequence = spec.layers.some((l) => l.kind === 'sequence-neuron');
  const built = sequence ? alongWords(model, dt) : overPositions(model, dt, options.length);
  const metadata: NirMetadata = {
    'spikescope.model': model.config.name,
    'spikescope.reset': reset,
    'spikescope.dt': dt,
    'spikescope.layout': built.layout,
    'spikescope.readout': built.readout,
    'spikescope.classes': JSON.stringify(spec.readout.classes),
    'spikescope.population': spec.readout.population,
    'spikescope.steps': model.config.numSteps,
    'spikescope.encoder': JSON.stringify(spec.encoder),
    'spikescope.tokenizer': model.config.tokenizer,
    'spikescope.vocabulary': `${model.vocabulary.size} words of the model folder's model.json (embedding ${model.config.embedding.source}); not included`,
  };
  if (built.length !== undefined) metadata['spikescope.length'] = built.length;
  built.graph.metadata = metadata;
  return { ...built, reset, dt };
}

type Built = Omit<NirExport, 'reset' | 'dt'>;

/** LITE-SNN: time runs over the words. */
function alongWords(model: LoadedModel, dt: number): Built {
  const { spec, weights } = model;
  const nodes = new Map<string, NirNode>();
  const edges: [string, string][] = [];
  let channels = spec.encoder.embeddingDim;
  const initial = spec.layers.filter((l) => l.kind === 'sequence-neuron' && (l as NeuronSpec).vInitFraction !== 0);
  if (initial.length > 0) refuse(`layer '${initial[0].name}' starts from a nonzero potential, which a run over the words cannot give at each sentence's start`);
  nodes.set('input', { type: 'Input', shape: [channels] });
  let previous = 'input';
  let pooled = false;
  let readout = '';
  for (const layer of spec.layers) {
    if (layer.kind === 'conv') {
      if (pooled) refuse(`layer '${layer.name}' comes after the pooling`);
      if (layer.widths.length !== 1 || layer.widths[0] !== 1) refuse(`layer '${layer.name}' has widths ${layer.widths.join(', ')}; along the words only width 1 (a linear map of each word) is exported`);
      const w = weights.get(convWeightName(layer, 0))!;
      const bias = layer.bias ? weights.get(convBiasName(layer, 0)) : undefined;
      nodes.set(layer.name, bias ? { type: 'Affine', weight: arr(w, [layer.filters, channels]), bias: arr(bias, [layer.filters]) } : { type: 'Linear', weight: arr(w, [layer.filters, channels]) });
      channels = layer.filters;
    } else if (layer.kind === 'sequence-neuron') {
      nodes.set(layer.name, neuronNode(layer.name, layer, channels, null, dt));
    } else if (layer.kind === 'neuron') {
      refuse(`layer '${layer.name}' has neurons per position, which do not carry from word to word`);
    } else if (layer.kind === 'pool') {
      if (layer.mode !== 'sum') refuse(`layer '${layer.name}' averages over the words: the divisor depends on each sentence's length`);
      pooled = true;
      continue;
    } else if (layer.kind === 'linear') {
      if (!pooled) refuse(`layer '${layer.name}' comes before the pooling`);
      if (layer !== spec.layers[spec.layers.length - 1]) refuse(`layer '${layer.name}' is followed by more layers: after the sum over the words only a linear readout is exported`);
      const w = weights.get(`${layer.name}.weight`)!;
      nodes.set(layer.name, { type: 'Linear', weight: arr(w, [layer.outFeatures, layer.inFeatures]) });
      channels = layer.outFeatures;
      readout = `scores = the output summed over every step of every word${layer.bias ? ` + steps per word × bias (metadata 'spikescope.bias')` : ''}, then summed over each class's ${spec.readout.population} output(s)`;
      if (layer.bias) {
        const bias = weights.get(`${layer.name}.bias`)!;
        (nodes.get(layer.name)!.metadata ??= {})['spikescope.bias'] = Array.from(bias);
      }
    } else refuse(`layer '${layer.name}' (${layer.kind})`);
    edges.push([previous, layer.name]);
    previous = layer.name;
  }
  if (!readout) refuse('it has no linear readout after the sum over the words');
  nodes.set('output', { type: 'Output', shape: [channels] });
  edges.push([previous, 'output']);
  return { graph: { type: 'NIRGraph', nodes, edges }, layout: 'words', pulse: false, channels: spec.encoder.embeddingDim, readout };
}

/** The spiking TextCNN: every position at once, at a fixed length. */
function overPositions(model: LoadedModel, dt: number, lengthOption: number | undefined): Built {
  const { spec, weights } = model;
  const length = lengthOption ?? Math.max(spec.encoder.minLength, 32);
  if (!Number.isInteger(length) || length < spec.encoder.minLength || length > MAX_EXPORT_LENGTH) {
    refuse(`--length must be a whole number from ${spec.encoder.minLength} (the model's shortest input) to ${MAX_EXPORT_LENGTH}`);
  }
  const neurons = spec.layers.filter((l) => l.kind === 'neuron') as (NeuronSpec & { name: string })[];
  const pulse = neurons.some((n) => n.vInitFraction !== 0);
  const inputChannels = spec.encoder.embeddingDim;
  const channels = inputChannels + (pulse ? 1 : 0);
  const nodes = new Map<string, NirNode>();
  const edges: [string, string][] = [];
  nodes.set('input', { type: 'Input', shape: [channels, length] });
  /** The current value: the nodes whose outputs sum to it, its shape [channels, positions] (positions 1 once pooled). */
  let current = { sources: ['input'], channels: inputChannels, positions: length, branches: [] as { name: string; positions: number; offset: number }[] };
  let pulseReady = false;
  const pulseNode = () => {
    if (!pulseReady) {
      // One value, 1 at step 0: the pulse channel averaged over the positions.
      const w = new Float32Array(channels * length);
      w.fill(1 / length, inputChannels * length, channels * length);
      nodes.set('pulse', { type: 'Conv1d', weight: arr(w, [1, channels, length]), bias: arr([0], [1]), stride: [1], padding: [0], dilation: [1], groups: 1, inputShape: [length] });
      nodes.set('pulse_flat', { type: 'Flatten', startDim: 0, endDim: -1 });
      edges.push(['input', 'pulse'], ['pulse', 'pulse_flat']);
      pulseReady = true;
    }
    return 'pulse_flat';
  };
  for (const layer of spec.layers) {
    if (layer.kind === 'conv') {
      if (current.positions === 1 || current.sources[0] !== 'input') refuse(`layer '${layer.name}': only a first convolution over the input is exported`);
      const branches: typeof current.branches = [];
      let filterOffset = 0;
      layer.widths.forEach((width, b) => {
        const stored = weights.get(convWeightName(layer, b))!;
        const name = layer.widths.length === 1 ? layer.name : `${layer.name}_w${width}`;
        const positions = length - width + 1;
        if (positions < 1) refuse(`--length ${length} is shorter than the width ${width} of '${layer.name}'`);
        // Ours: [filters][width][inChannels]; NIR's Conv1d: [C_out][C_in][K].
        const w = new Float32Array(layer.filters * channels * width);
        for (let f = 0; f < layer.filters; f++) {
          for (let k = 0; k < width; k++) {
            for (let c = 0; c < inputChannels; c++) w[(f * channels + c) * width + k] = stored[(f * width + k) * inputChannels + c];
          }
        }
        const bias = layer.bias ? weights.get(convBiasName(layer, b))! : new Float32Array(layer.filters);
        nodes.set(name, { type: 'Conv1d', weight: arr(w, [layer.filters, channels, width]), bias: arr(Float32Array.from(bias), [layer.filters]), stride: [1], padding: [0], dilation: [1], groups: 1, inputShape: [length] });
        edges.push(['input', name]);
        branches.push({ name, positions, offset: filterOffset });
        filterOffset += layer.filters;
      });
      current = { sources: branches.map((b) => b.name), channels: layer.filters, positions: length, branches };
    } else if (layer.kind === 'neuron') {
      if (current.branches.length > 0 && current.positions !== 1) {
        // One neuron node per convolution branch, [filters, positions of that branch].
        const next: typeof current.branches = [];
        for (const branch of current.branches) {
          const name = `${layer.name}${current.branches.length === 1 ? '' : branch.name.slice(branch.name.lastIndexOf('_'))}`;
          nodes.set(name, neuronNode(layer.name, layer, current.channels, branch.positions, dt));
          edges.push([branch.name, name]);
          if (layer.vInitFraction !== 0) {
            // v_init through the pulse channel of the branch's convolution: v0 / width at each tap.
            const conv = nodes.get(branch.name) as NirConv;
            const width = conv.weight.shape[2];
            const thresholds = perChannel(layer.vThreshold, current.channels);
            for (let f = 0; f < current.channels; f++) {
              for (let k = 0; k < width; k++) conv.weight.data[(f * channels + inputChannels) * width + k] = (layer.vInitFraction * thresholds[f]) / width;
            }
          }
          next.push({ ...branch, name });
        }
        current = { ...current, sources: next.map((b) => b.name), branches: next };
      } else {
        const name = layer.name;
        const size = current.channels;
        nodes.set(name, neuronNode(name, layer, size, null, dt));
        for (const source of current.sources) edges.push([source, name]);
        if (layer.vInitFraction !== 0) {
          const thresholds = perChannel(layer.vThreshold, size);
          nodes.set(`${name}_init`, { type: 'Linear', weight: arr(thresholds.map((t) => layer.vInitFraction * t), [size, 1]) });
          edges.push([pulseNode(), `${name}_init`], [`${name}_init`, name]);
        }
        current = { sources: [name], channels: size, positions: 1, branches: [] };
      }
    } else if (layer.kind === 'pool') {
      if (current.positions === 1) refuse(`layer '${layer.name}' pools what has no positions`);
      const total = current.branches.length * current.channels;
      const sources: string[] = [];
      for (const branch of current.branches) {
        // [filters, positions] flattened → the branch's block of the pooled vector.
        const flat = `${branch.name}_flat`;
        const name = `${layer.name}${current.branches.length === 1 ? '' : branch.name.slice(branch.name.lastIndexOf('_'))}`;
        const w = new Float32Array(total * current.channels * branch.positions);
        const value = layer.mode === 'avg' ? 1 / branch.positions : 1;
        for (let f = 0; f < current.channels; f++) {
          const row = branch.offset + f;
          for (let p = 0; p < branch.positions; p++) w[row * current.channels * branch.positions + f * branch.positions + p] = value;
        }
        nodes.set(flat, { type: 'Flatten', startDim: 0, endDim: -1 });
        nodes.set(name, { type: 'Linear', weight: arr(w, [total, current.channels * branch.positions]) });
        edges.push([branch.name, flat], [flat, name]);
        sources.push(name);
      }
      current = { sources, channels: total, positions: 1, branches: [] };
    } else if (layer.kind === 'linear') {
      if (current.positions !== 1) refuse(`layer '${layer.name}' is applied before the pooling`);
      const w = weights.get(`${layer.name}.weight`)!;
      const bias = layer.bias ? weights.get(`${layer.name}.bias`) : undefined;
      nodes.set(layer.name, bias ? { type: 'Affine', weight: arr(w, [layer.outFeatures, layer.inFeatures]), bias: arr(bias, [layer.outFeatures]) } : { type: 'Linear', weight: arr(w, [layer.outFeatures, layer.inFeatures]) });
      for (const source of current.sources) edges.push([source, layer.name]);
      current = { sources: [layer.name], channels: layer.outFeatures, positions: 1, branches: [] };
    } else refuse(`layer '${layer.name}' (${layer.kind}) cannot be exported over positions`);
  }
  nodes.set('output', { type: 'Output', shape: [current.channels] });
  for (const source of current.sources) edges.push([source, 'output']);
  const last = spec.layers[spec.layers.length - 1];
  const readout = `scores = the output ${last.kind === 'neuron' ? '(spikes) counted' : 'summed'} over the steps, then summed over each class's ${spec.readout.population} output(s)`;
  return { graph: { type: 'NIRGraph', nodes, edges }, layout: 'positions', length, pulse, channels, readout };
}

/**
 * The exported graph's input for `text`: `[steps][channels]` rows as the model's encoder makes
 * them (the same spikes as Spikescope draws, for rate input), with the pulse channel where the
 * export has one. Words: `numSteps` rows per word; positions: `numSteps` rows of `[channels][length]`.
 */
export function nirInputForText(model: LoadedModel, exported: NirExport, text: string, options: { steps?: number; seed?: number } = {}): { steps: number; values: Float32Array; tokens: number; textTokens: number } {
  const spec = model.spec;
  const numSteps = options.steps ?? model.config.numSteps;
  const seed = options.seed ?? model.config.seed;
  const ids = model.vocabulary.encode(tokenize(text, model.config.tokenizer)).ids;
  const dim = spec.encoder.embeddingDim;
  if (exported.layout === 'words') {
    if (ids.length === 0) throw new NirFormatError('the text has no words');
    const encoded = encodeReference({ kind: spec.encoder.kind, seed, shape: { numSteps, batch: 1, tokens: ids.length, dim }, positionOffset: 0, tokenIds: Int32Array.from(ids), probabilities: model.probabilities, streamIds: new Uint32Array(1) });
    // [t][word][d] → rows word-major: word 0 steps 0..T−1, word 1, …
    const values = new Float32Array(ids.length * numSteps * dim);
    for (let j = 0; j < ids.length; j++) {
      for (let t = 0; t < numSteps; t++) values.set(encoded.subarray((t * ids.length + j) * dim, (t * ids.length + j + 1) * dim), (j * numSteps + t) * dim);
    }
    return { steps: ids.length * numSteps, values, tokens: ids.length, textTokens: ids.length };
  }
  const length = exported.length!;
  const tokenIds = new Int32Array(length).fill(-1);
  tokenIds.set(ids.subarray(0, length));
  const encoded = encodeReference({ kind: spec.encoder.kind, seed, shape: { numSteps, batch: 1, tokens: length, dim }, positionOffset: 0, tokenIds, probabilities: model.probabilities, streamIds: new Uint32Array(1) });
  const channels = exported.channels;
  const values = new Float32Array(numSteps * channels * length);
  for (let t = 0; t < numSteps; t++) {
    const row = t * channels * length;
    for (let j = 0; j < length; j++) for (let d = 0; d < dim; d++) values[row + d * length + j] = encoded[(t * length + j) * dim + d];
    if (exported.pulse && t === 0) values.fill(1, row + dim * length, row + channels * length);
  }
  return { steps: numSteps, values, tokens: Math.min(ids.length, length), textTokens: ids.length };
}
