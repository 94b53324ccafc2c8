import type { NetworkSpec, NeuronLayerSpec } from '../model/spec';
import type { NeuronParams } from '../reference/neuron';
import { channelWidths, positionalSection, positionChunks, type PreparedBatch } from './batch';
import type { TensorOps } from './ops';
import type { NeuronOverrides, RecordRequest } from './types';

/** Model data already on the backend (uploaded once per model, not per inference). */
export interface ResidentModel<Tensor> {
  spec: NetworkSpec;
  /** Firing probability of every vocabulary word's components, `[vocab][dim]`. */
  probabilities: Tensor;
  weights: Map<string, Tensor>;
}

export interface ExecuteOptions {
  /** `snn`: neurons over `numSteps`; `ann`: the twin, one step of direct input, activations for neurons. */
  mode: 'snn' | 'ann';
  numSteps: number;
  encoding: 'rate' | 'direct';
  seed: number;
  neurons?: NeuronOverrides;
  record?: RecordRequest;
  stepMode?: 'fused' | 'per-step';
  /** Largest number of output positions computed at once (bounds buffer sizes for long texts). */
  maxChunkPositions: number;
}

/** What one execution measured, per batch. */
export interface RawOutput {
  numSteps: number;
  batch: number;
  /** Padded token length of the batch. */
  tokens: number;
  /** Output positions of the positional layers (before pooling) for the padded length. */
  positions: number;
  /** Width of the narrowest convolution branch (1 without convolution): a sample of length L has L − minWidth + 1 positions. */
  minWidth: number;
  /** `[batch][classes]` summed output spikes (SNN) or output activations (ANN). */
  scores: Float32Array;
  /** `[numSteps][batch][outputs]` the last layer's spikes or activations. */
  outputTrain: Float32Array;
  /** `[batch][tokens]` encoder spike events per token position. */
  inputEvents: Float32Array;
  /** Per spiking layer index: `[batch][positions]` (positional) or `[batch]` (flat) spike events. */
  layerEvents: Map<number, Float32Array>;
  /** Per recorded layer name: per sample `[numSteps][positions][channels]`. */
  spikeTrains: Map<string, { positions: number; channels: number; samples: Float32Array[] }>;
  /** Recorded membrane traces, per sample. */
  membrane: { layer: string; neuron: number; vThreshold: number; samples: Float32Array[] }[];
  /** Encoder output per sample `[numSteps][tokens][dim]`, when recorded. */
  inputTrain?: Float32Array[];
}

/** Neuron parameters of a layer with the run's overrides applied. */
export function neuronParams(layer: Omit<NeuronLayerSpec, 'kind' | 'name'>, channels: number, overrides: NeuronOverrides = {}): NeuronParams {
  const scale = overrides.thresholdScale ?? 1;
  return {
    model: overrides.model ?? layer.model,
    reset: overrides.reset ?? layer.reset,
    vThreshold: Float32Array.from(layer.vThreshold, (v) => v * scale),
    channels,
    beta: overrides.beta ?? layer.beta,
    vReset: layer.vReset,
    vInitFraction: layer.vInitFraction,
    levels: layer.levels,
  };
}

interface Readback<Tensor> {
  tensor: Tensor;
  length: number;
  consume(data: Float32Array): void;
}

/**
 * Runs a network over a batch with any backend's ops: the positional layers chunk by chunk of
 * positions (accumulating the pool), then the pooled layers, then the readout; everything read back once.
 */
export async function execute<Tensor, NeuronLayer>(
  ops: TensorOps<Tensor, NeuronLayer>,
  model: ResidentModel<Tensor>,
  batch: PreparedBatch,
  options: ExecuteOptions,
): Promise<RawOutput> {
  const spec = model.spec;
  const ann = options.mode === 'ann';
  const numSteps = ann ? 1 : options.numSteps;
  const encoding = ann ? 'direct' : options.encoding;
  const record = options.record ?? {};
  const B = batch.batch;
  const rows = numSteps * B;
  const dim = spec.encoder.embeddingDim;
  const section = positionalSection(spec);
  const C = section.channels;
  const positions = batch.tokens - section.minWidth + 1;
  const perStep = options.stepMode === 'per-step' && ops.supportsStepRanges;
  const ranges: [number, number][] = perStep ? Array.from({ length: numSteps }, (_, t) => [t, 1]) : [[0, numSteps]];
  const readbacks: Readback<Tensor>[] = [];
  const weight = (name: string): Tensor => {
    const tensor = model.weights.get(name);
    if (tensor === undefined) throw new Error(`The model has no weight tensor ${name}.`);
    return tensor;
  };
  const optionalWeight = (name: string, present: boolean): Tensor | null => (present ? weight(name) : null);

  const out: RawOutput = {
    numSteps,
    batch: B,
    tokens: batch.tokens,
    positions,
    minWidth: section.minWidth,
    scores: new Float32Array(0),
    outputTrain: new Float32Array(0),
    inputEvents: new Float32Array(B * batch.tokens),
    layerEvents: new Map(),
    spikeTrains: new Map(),
    membrane: [],
  };
  const membraneRequests = new Map((record.membrane ?? []).map((request) => [request.layer, request.neurons]));
  const recordsSpikes = (name: string) => !ann && (record.spikeLayers ?? []).includes(name);
  const recordsMembrane = (name: string) => !ann && membraneRequests.has(name);

  // ---- positional section, chunk by chunk ----
  const chunks = positionChunks(section, batch.tokens, options.maxChunkPositions);
  const maxTokens = Math.max(...chunks.map((c) => c.tokenEnd - c.tokenStart));
  const maxPositions = maxTokens - section.minWidth + 1;
  // A recorded tensor gets a buffer per chunk (read back at the end); others are reused by every chunk.
  const sharedEncoded = record.input && !ann ? null : ops.zeros('encoded', rows * maxTokens * dim);
  const convOut = section.conv ? ops.zeros('conv', rows * maxPositions * C) : null;
  const pooled = ops.zeros('pooled', rows * C);
  const widths = channelWidths(section);
  const positionalSpikes = section.neurons.map(({ layer }) =>
    recordsSpikes(layer.name) ? null : ops.zeros(`${layer.name}.spikes`, rows * maxPositions * C),
  );
  for (const [spikeLayer, { layer }] of section.neurons.entries()) {
    if (recordsSpikes(layer.name)) {
      out.spikeTrains.set(layer.name, { positions, channels: C, samples: range(B).map(() => new Float32Array(numSteps * positions * C)) });
    }
    if (recordsMembrane(layer.name)) {
      const params = neuronParams(layer, C, options.neurons);
      for (const neuron of membraneRequests.get(layer.name)!) {
        const vThreshold = params.vThreshold.length === 1 ? params.vThreshold[0] : params.vThreshold[neuron % C];
        out.membrane.push({ layer: layer.name, neuron, vThreshold, samples: range(B).map(() => new Float32Array(numSteps)) });
      }
    }
    if (!ann) out.layerEvents.set(section.neurons[spikeLayer].index, new Float32Array(B * positions));
  }
  if (record.input && !ann) out.inputTrain = range(B).map(() => new Float32Array(numSteps * batch.tokens * dim));

  chunks.forEach((chunk, chunkIndex) => {
    const tokens = chunk.tokenEnd - chunk.tokenStart;
    const chunkPositions = tokens - section.minWidth + 1;
    const owned = chunk.end - chunk.start;
    const lengths = Uint32Array.from(batch.lengths, (length) => Math.max(0, Math.min(tokens, length - chunk.tokenStart)));
    const tokenIds = new Int32Array(B * tokens);
    for (let b = 0; b < B; b++) {
      tokenIds.set(batch.tokenIds.subarray(b * batch.tokens + chunk.tokenStart, b * batch.tokens + chunk.tokenEnd), b * tokens);
    }
    const validPositions = new Uint32Array(B * C);
    for (let b = 0; b < B; b++) {
      for (let c = 0; c < C; c++) validPositions[b * C + c] = Math.max(0, Math.min(owned, lengths[b] - widths[c] + 1));
    }
    const tokenIdsTensor = ops.upload(`chunk${chunkIndex}.tokenIds`, tokenIds);
    const lengthsTensor = ops.upload(`chunk${chunkIndex}.lengths`, lengths);
    const streamIds = ops.upload(`chunk${chunkIndex}.streamIds`, batch.streamIds);
    const validTensor = ops.upload(`chunk${chunkIndex}.validPositions`, validPositions);
    const spikeTensors = section.neurons.map(({ layer }, i) =>
      positionalSpikes[i] ?? ops.zeros(`chunk${chunkIndex}.${layer.name}.spikes`, rows * chunkPositions * C),
    );
    const membraneTensors = section.neurons.map(({ layer }) =>
      recordsMembrane(layer.name) ? ops.zeros(`chunk${chunkIndex}.${layer.name}.membrane`, rows * chunkPositions * C) : undefined,
    );
    const encoded = sharedEncoded ?? ops.zeros(`chunk${chunkIndex}.encoded`, rows * tokens * dim);
    const layerStates = section.neurons.map(({ layer }) =>
      ops.neuronLayer(`chunk${chunkIndex}.${layer.name}`, neuronParams(layer, C, options.neurons), B * chunkPositions * C),
    );

    for (const [tStart, tCount] of ranges) {
      ops.encode({
        kind: encoding,
        seed: options.seed,
        shape: { numSteps, batch: B, tokens, dim },
        tStart,
        tCount,
        positionOffset: chunk.tokenStart,
        tokenIds: tokenIdsTensor,
        probabilities: model.probabilities,
        streamIds,
        output: encoded,
        firstStepOnly: spec.encoder.presentation === 'first-step',
      });
      let current = encoded;
      const rowStart = tStart * B;
      const rowCount = tCount * B;
      if (section.conv && convOut) {
        const conv = section.conv;
        ops.conv({
          shape: { rows, batch: B, tokens, inChannels: dim, widths: conv.widths, filters: conv.filters },
          rowStart,
          rowCount,
          input: encoded,
          weights: weight(`${conv.name}.weight`),
          bias: optionalWeight(`${conv.name}.bias`, conv.bias),
          lengths: lengthsTensor,
          output: convOut,
        });
        current = convOut;
      }
      section.neurons.forEach(({ layer }, i) => {
        const neurons = B * chunkPositions * C;
        if (ann) ops.activation({ count: rows * chunkPositions * C, activation: layer.ann, input: current, output: spikeTensors[i] });
        else {
          ops.neuron({
            params: neuronParams(layer, C, options.neurons),
            neurons,
            tStart,
            tCount,
            x: current,
            spikes: spikeTensors[i],
            layer: layerStates[i],
            membrane: membraneTensors[i],
          });
        }
        current = spikeTensors[i];
      });
      ops.poolSum({
        shape: { rows, batch: B, positions: chunkPositions, channels: C },
        rowStart,
        rowCount,
        input: current,
        validPositions: validTensor,
        output: pooled,
        accumulate: chunkIndex > 0,
      });
    }

    // Spike events per position: the encoder's over the tokens this chunk owns, each layer's over its positions.
    if (!ann) {
      const ownedTokens = chunkIndex === chunks.length - 1 ? tokens : owned;
      const inputEvents = ops.zeros(`chunk${chunkIndex}.inputEvents`, B * tokens);
      ops.countEvents({ numSteps, batch: B, positions: tokens, channels: dim, input: encoded, output: inputEvents });
      readbacks.push({
        tensor: inputEvents,
        length: B * tokens,
        consume: (data) => copyPositions(data, B, tokens, ownedTokens, out.inputEvents, batch.tokens, chunk.tokenStart, 1),
      });
      if (out.inputTrain) {
        readbacks.push({
          tensor: encoded,
          length: rows * tokens * dim,
          consume: (data) =>
            splitSamples(data, numSteps, B, tokens * dim).forEach((sample, b) =>
              copyPositions(sample, numSteps, tokens, ownedTokens, out.inputTrain![b], batch.tokens, chunk.tokenStart, dim),
            ),
        });
      }
      section.neurons.forEach(({ layer, index }, i) => {
        const events = ops.zeros(`chunk${chunkIndex}.${layer.name}.events`, B * chunkPositions);
        ops.countEvents({ numSteps, batch: B, positions: chunkPositions, channels: C, input: spikeTensors[i], output: events });
        readbacks.push({
          tensor: events,
          length: B * chunkPositions,
          consume: (data) => copyPositions(data, B, chunkPositions, owned, out.layerEvents.get(index)!, positions, chunk.start, 1),
        });
        const train = out.spikeTrains.get(layer.name);
        if (train) {
          readbacks.push({
            tensor: spikeTensors[i],
            length: rows * chunkPositions * C,
            consume: (data) =>
              splitSamples(data, numSteps, B, chunkPositions * C).forEach((sample, b) =>
                copyPositions(sample, numSteps, chunkPositions, owned, train.samples[b], positions, chunk.start, C),
              ),
          });
        }
        const membrane = membraneTensors[i];
        if (membrane) {
          readbacks.push({
            tensor: membrane,
            length: rows * chunkPositions * C,
            consume: (data) => {
              for (const trace of out.membrane.filter((m) => m.layer === layer.name)) {
                const position = Math.floor(trace.neuron / C) - chunk.start;
                if (position < 0 || position >= owned) continue;
                const local = position * C + (trace.neuron % C);
                for (let b = 0; b < B; b++) {
                  for (let t = 0; t < numSteps; t++) trace.samples[b][t] = data[((t * B + b) * chunkPositions) * C + local];
                }
              }
            },
          });
        }
      });
    }
  });

  // ---- pooled (flat) section ----
  const poolScale = new Float32Array(B * C);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const count = Math.max(0, batch.lengths[b] - widths[c] + 1);
      poolScale[b * C + c] = section.pool.mode === 'sum' ? 1 : count > 0 ? Math.fround(1 / count) : 0;
    }
  }
  const poolScaleTensor = ops.upload('pool.scale', poolScale);
  const flatLayers = spec.layers.slice(section.poolIndex + 1).map((layer, i) => ({ layer, index: section.poolIndex + 1 + i }));
  let channels = C;
  const flatTensors = flatLayers.map(({ layer }) => {
    const inChannels = channels;
    if (layer.kind === 'linear') channels = layer.outFeatures;
    if (layer.kind === 'recurrent') channels = layer.hidden;
    const output = ops.zeros(`${layer.name}.output`, rows * channels);
    const inputCurrent = layer.kind === 'recurrent' ? ops.zeros(`${layer.name}.inputCurrent`, rows * channels) : null;
    const neuronSpec = layer.kind === 'neuron' ? layer : layer.kind === 'recurrent' ? layer.neuron : null;
    const params = neuronSpec ? neuronParams(neuronSpec, channels, options.neurons) : null;
    const state = params ? ops.neuronLayer(layer.name, params, B * channels) : null;
    return { inChannels, channels, output, inputCurrent, params, state };
  });
  for (const [tStart, tCount] of ranges) {
    const rowStart = tStart * B;
    const rowCount = tCount * B;
    ops.scaleRows({ rows, rowStart, rowCount, batch: B, channels: C, values: pooled, scale: poolScaleTensor });
    let current = pooled;
    flatLayers.forEach(({ layer }, i) => {
      const t = flatTensors[i];
      if (layer.kind === 'linear') {
        ops.linear({
          rows,
          rowStart,
          rowCount,
          inFeatures: layer.inFeatures,
          outFeatures: layer.outFeatures,
          input: current,
          weights: weight(`${layer.name}.weight`),
          bias: optionalWeight(`${layer.name}.bias`, layer.bias),
          output: t.output,
        });
      } else if (layer.kind === 'neuron') {
        if (ann) ops.activation({ count: rows * t.channels, activation: layer.ann, input: current, output: t.output });
        else {
          ops.neuron({ params: t.params!, neurons: B * t.channels, tStart, tCount, x: current, spikes: t.output, layer: t.state! });
        }
      } else if (layer.kind === 'recurrent') {
        ops.linear({
          rows,
          rowStart,
          rowCount,
          inFeatures: layer.inFeatures,
          outFeatures: layer.hidden,
          input: current,
          weights: weight(`${layer.name}.inputWeight`),
          bias: optionalWeight(`${layer.name}.bias`, layer.bias),
          output: t.inputCurrent!,
        });
        ops.recurrent({
          numSteps,
          tStart,
          tCount,
          batch: B,
          hidden: layer.hidden,
          params: t.params!,
          inputCurrent: t.inputCurrent!,
          recurrentWeights: weight(`${layer.name}.recurrentWeight`),
          spikes: t.output,
          layer: t.state!,
          activation: ann ? layer.neuron.ann : undefined,
        });
      } else {
        throw new Error(`Layer ${layer.name} (${layer.kind}) cannot follow the pool.`);
      }
      current = t.output;
    });
  }
  flatLayers.forEach(({ layer, index }, i) => {
    if (ann || (layer.kind !== 'neuron' && layer.kind !== 'recurrent')) return;
    const t = flatTensors[i];
    const events = ops.zeros(`${layer.name}.events`, B);
    ops.countEvents({ numSteps, batch: B, positions: 1, channels: t.channels, input: t.output, output: events });
    readbacks.push({ tensor: events, length: B, consume: (data) => out.layerEvents.set(index, data) });
    if (recordsSpikes(layer.name)) {
      readbacks.push({
        tensor: t.output,
        length: rows * t.channels,
        consume: (data) =>
          out.spikeTrains.set(layer.name, { positions: 1, channels: t.channels, samples: splitSamples(data, numSteps, B, t.channels) }),
      });
    }
  });

  // ---- readout ----
  const classes = spec.readout.classes.length;
  const outputs = flatTensors.length > 0 ? flatTensors[flatTensors.length - 1] : null;
  const last = outputs?.output ?? pooled;
  const lastChannels = outputs?.channels ?? C;
  const scores = ops.zeros('readout.scores', B * classes);
  ops.readout({ numSteps, batch: B, classes, population: spec.readout.population, input: last, output: scores });
  readbacks.push({ tensor: scores, length: B * classes, consume: (data) => (out.scores = data) });
  readbacks.push({ tensor: last, length: rows * lastChannels, consume: (data) => (out.outputTrain = data) });

  const data = await ops.read(readbacks.map(({ tensor, length }) => ({ tensor, length })));
  readbacks.forEach((readback, i) => readback.consume(data[i]));
  return out;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Splits `[numSteps][batch][inner]` into per-sample `[numSteps][inner]` arrays. */
function splitSamples(data: Float32Array, numSteps: number, batch: number, inner: number): Float32Array[] {
  return range(batch).map((b) => {
    const sample = new Float32Array(numSteps * inner);
    for (let t = 0; t < numSteps; t++) sample.set(data.subarray((t * batch + b) * inner, (t * batch + b + 1) * inner), t * inner);
    return sample;
  });
}

/**
 * Copies the first `owned` positions of each of `groups` blocks of `[positions][width]` in `source`
 * into `target`'s blocks of `[targetPositions][width]`, starting at position `offset`.
 */
function copyPositions(
  source: Float32Array,
  groups: number,
  positions: number,
  owned: number,
  target: Float32Array,
  targetPositions: number,
  offset: number,
  width: number,
): void {
  for (let g = 0; g < groups; g++) {
    const from = g * positions * width;
    target.set(source.subarray(from, from + owned * width), (g * targetPositions + offset) * width);
  }
}
