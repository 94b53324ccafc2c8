import type { NetworkSpec, NeuronLayerSpec, TokenRecurrentLayerSpec } from '../model/spec';
import type { NeuronParams } from '../reference/neuron';
import { positionalSection, type PositionalSection, type PreparedBatch } from './batch';
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

/** A tensor to read back at the end of the run, and where its values go. */
export interface Readback<Tensor> {
  tensor: Tensor;
  length: number;
  consume(data: Float32Array): void;
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

/** The neuron settings of a positional spiking layer. */
export function neuronSpecOf(layer: NeuronLayerSpec | TokenRecurrentLayerSpec): Omit<NeuronLayerSpec, 'kind' | 'name'> {
  return layer.kind === 'neuron' ? layer : layer.neuron;
}

/** Everything one walk over the network shares: the ops, the batch, the derived sizes, the outputs. */
export class Walk<Tensor, NeuronLayer> {
  readonly spec: NetworkSpec;
  readonly ann: boolean;
  readonly numSteps: number;
  readonly encoding: 'rate' | 'direct';
  readonly B: number;
  /** Rows of a time-major tensor: numSteps × batch. */
  readonly rows: number;
  readonly dim: number;
  readonly section: PositionalSection;
  /** Output positions of the positional layers for the padded length. */
  readonly positions: number;
  /** Time ranges of the dispatches: one `[0, T]` (fused) or one per step. */
  readonly ranges: [number, number][];
  /**
   * Direct input presented at every step is the same current at every step: in a fused run the
   * encoder and the convolution compute it once and the first neuron layer reads it at every step.
   * (A per-step run, which sees one step at a time, recomputes it.)
   */
  readonly staticInput: boolean;
  /** Steps the encoder and the convolution compute: 1 for a static input, else numSteps. */
  readonly inputSteps: number;
  readonly readbacks: Readback<Tensor>[] = [];
  readonly out: RawOutput;
  private readonly record: RecordRequest;
  private readonly membraneRequests: Map<string, number[]>;

  constructor(
    readonly ops: TensorOps<Tensor, NeuronLayer>,
    readonly model: ResidentModel<Tensor>,
    readonly batch: PreparedBatch,
    readonly options: ExecuteOptions,
  ) {
    this.spec = model.spec;
    this.ann = options.mode === 'ann';
    this.numSteps = this.ann ? 1 : options.numSteps;
    this.encoding = this.ann ? 'direct' : options.encoding;
    this.record = this.ann ? {} : (options.record ?? {});
    this.B = batch.batch;
    this.rows = this.numSteps * this.B;
    this.dim = this.spec.encoder.embeddingDim;
    this.section = positionalSection(this.spec);
    this.positions = batch.tokens - this.section.minWidth + 1;
    // A token-recurrent layer needs all steps of a position before the next one: it runs fused.
    const perStep = options.stepMode === 'per-step' && ops.supportsStepRanges && !this.section.sequential;
    this.ranges = perStep ? Array.from({ length: this.numSteps }, (_, t) => [t, 1]) : [[0, this.numSteps]];
    this.staticInput =
      !this.ann &&
      this.encoding === 'direct' &&
      this.spec.encoder.presentation !== 'first-step' &&
      !perStep &&
      this.section.neurons.length > 0;
    this.inputSteps = this.staticInput ? 1 : this.numSteps;
    this.membraneRequests = new Map((this.record.membrane ?? []).map((request) => [request.layer, request.neurons]));
    this.out = {
      numSteps: this.numSteps,
      batch: this.B,
      tokens: batch.tokens,
      positions: this.positions,
      minWidth: this.section.minWidth,
      scores: new Float32Array(0),
      outputTrain: new Float32Array(0),
      inputEvents: new Float32Array(this.B * batch.tokens),
      layerEvents: new Map(),
      spikeTrains: new Map(),
      membrane: [],
    };
  }

  weight(name: string): Tensor {
    const tensor = this.model.weights.get(name);
    if (tensor === undefined) throw new Error(`The model has no weight tensor ${name}.`);
    return tensor;
  }

  optionalWeight(name: string, present: boolean): Tensor | null {
    return present ? this.weight(name) : null;
  }

  recordsInput(): boolean {
    return this.record.input === true;
  }

  recordsSpikes(layer: string): boolean {
    return (this.record.spikeLayers ?? []).includes(layer);
  }

  recordsMembrane(layer: string): boolean {
    return this.membraneRequests.has(layer);
  }

  /** Registers the membrane traces asked for in `layer` (with `channels` channels) and returns them. */
  membraneTraces(layer: string, params: NeuronParams, channels: number): RawOutput['membrane'] {
    const traces = (this.membraneRequests.get(layer) ?? []).map((neuron) => ({
      layer,
      neuron,
      vThreshold: params.vThreshold.length === 1 ? params.vThreshold[0] : params.vThreshold[neuron % channels],
      samples: range(this.B).map(() => new Float32Array(this.numSteps)),
    }));
    this.out.membrane.push(...traces);
    return traces;
  }
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Splits `[numSteps][batch][inner]` into per-sample `[numSteps][inner]` arrays. */
export function splitSamples(data: Float32Array, numSteps: number, batch: number, inner: number): Float32Array[] {
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
export function copyPositions(
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
