/**
 * The contract of a layer kind (architecture §6). Everything Spikescope knows about one kind lives in
 * its module, `src/layers/<kind>.ts`: how model.json describes it, the shape of its output, its
 * weight tensors, how it runs over the tensor ops, what its events cost, and how the app names it.
 * The executor, the validation, the energy account and the app walk the graph of layers through
 * this interface and know no kind by name.
 */
import type { TensorOps } from '../engine/ops';
import type { NeuronParams } from '../reference/neuron';
import type { Surrogate } from '../reference/neuron-backward';
import type { NeuronSpec } from '../model/spec';

/** A parsed `model.json` object. */
export type Json = Record<string, unknown>;

/** What flows along an edge of the graph. */
export interface ValueShape {
  /** Positional values are `[T][batch][positions][channels]`; flat ones `[T][batch][channels]`. */
  positional: boolean;
  channels: number;
  /**
   * Positional values: the tokens that one position of each channel covers (its receptive field).
   * A sample of L tokens has `L − spans[c] + 1` valid positions in channel c; the value holds the
   * positions of its narrowest channel, `tokens − minSpan + 1`, and masks the rest (zeros). Flat: [].
   */
  spans: number[];
  minSpan: number;
  maxSpan: number;
}

/** A weight tensor as stored in weights.safetensors. */
export interface TensorDecl {
  name: string;
  shape: number[];
}

/** One input of a layer at execution time. */
export interface InputValue<Tensor> {
  tensor: Tensor;
  shape: ValueShape;
  /** Steps the tensor holds: numSteps, or 1 for a static input computed once (read at every step). */
  steps: number;
  /** Positions per sample held in this chunk (1 for flat values). */
  positions: number;
}

/** What a layer records into: its output tensor, sized `steps × batch × positions × channels`. */
export interface OutputValue<Tensor> {
  tensor: Tensor;
  steps: number;
  positions: number;
  /** Potentials `h` of the recorded membrane traces, same layout as `tensor` (spiking layers). */
  membrane?: Tensor;
}

/** Everything a layer needs to record its work for one range of steps (and one chunk of positions). */
export interface RecordContext<Tensor, NeuronState> {
  readonly ops: TensorOps<Tensor, NeuronState>;
  /** The ANN twin: one step, spiking layers apply their `ann` activation. */
  readonly ann: boolean;
  readonly batch: number;
  readonly numSteps: number;
  /** The steps this dispatch covers: `[tStart, tStart + tCount)`. */
  readonly tStart: number;
  readonly tCount: number;
  /** Index of the chunk of positions (0 for flat layers). */
  readonly chunkIndex: number;
  /** `[batch]` token length of each sample, counted from the start of the sentence. */
  readonly sampleLengths: Uint32Array;
  weight(name: string): Tensor;
  /** Neuron parameters of a spiking layer, with the run's overrides. */
  neuronParams(neuron: NeuronSpec, channels: number): NeuronParams;
  /** State of `neurons` neurons, made once per chunk (positional layers) or per run (flat layers), keyed by `key`. */
  neuronState(key: string, params: NeuronParams, neurons: number): NeuronState;
  /** State of `neurons` neurons that lives for the whole run, across chunks (a sequence's), keyed by `key`. */
  runNeuronState(key: string, params: NeuronParams, neurons: number): NeuronState;
  /** A tensor that lives for the whole run (e.g. a carry from chunk to chunk), keyed by `key`. */
  runTensor(key: string, length: number): Tensor;
  /** A work tensor of this chunk (e.g. an intermediate product), keyed by `key`. */
  scratch(key: string, length: number): Tensor;
  /** `[batch]` (u32): positions of each sample, from the chunk's first, that are valid in every channel of `shape`. */
  validLengths(shape: ValueShape): Tensor;
  /** `[batch][channels]` (u32): positions of each sample this chunk owns that are valid in each channel of `shape`. */
  validPositions(shape: ValueShape): Tensor;
  /** `[batch]` (u32): positions of each sample this chunk owns that are valid in every channel of `shape`. */
  sequenceValid(shape: ValueShape): Tensor;
  /** `[batch][channels]` values uploaded once per run (e.g. the averaging scale of a pool). */
  upload(key: string, data: Float32Array | Uint32Array): Tensor;
}

/** The input of a layer in the energy account: spike events, or an analog current. */
export type EnergySource =
  | { kind: 'spikes'; perPosition: Float32Array | null; total: number }
  /** `constant`: the same current at every step (direct input computed once). */
  | { kind: 'analog'; constant: boolean };

/** The account of one layer for one sample, filled by the layer's `energy`. */
export interface EnergyRow {
  annMacs: number;
  /** Pooling and bias adds of the ANN. */
  annAcs: number;
  snnAcs: number;
  /** Analog inputs (direct encoding) are multiplied, not accumulated. */
  snnMacs: number;
  /** Spiking neurons of the layer (0 for layers that do not spike). */
  neurons: number;
  /** Events the layer emitted (0 for layers that do not spike). */
  events: number;
  /** events / (neurons · numSteps); null for layers that do not spike. */
  firingRate: number | null;
  /** Neuron state updates (neurons × steps), priced in the SNN's operations (architecture §4.3). */
  neuronUpdates: number;
}

/** What a layer's `energy` sees and the shared rules it applies (architecture §4). */
export interface EnergyContext {
  readonly index: number;
  readonly name: string;
  readonly numSteps: number;
  readonly inputs: { source: EnergySource; shape: ValueShape; positions: number }[];
  readonly shape: ValueShape;
  /** Positions of the layer's own output for this sample's padded length. */
  readonly positions: number;
  readonly row: EnergyRow;
  /**
   * Synaptic cost of the first input for a layer of `annMacs` MACs: per event `perEvent` ACs, or
   * `fanOut(position)` ACs for an event at `position` (when `perEvent` is null); a bias adds one
   * AC per output per step.
   */
  synapses(annMacs: number, fanOut: (position: number) => number, perEvent: number | null, biasOutputs: number): void;
  /** Records the layer's measured events (`neurons` spiking neurons); returns them as the next source. */
  spiking(neurons: number): EnergySource & { kind: 'spikes' };
  /** The events the engine measured for this layer. */
  measured(): Float32Array | number | undefined;
}

/** How the app shows a layer. */
export interface LayerView {
  /** Its neurons spike: rasters, membrane traces and activity are drawn for it. */
  spiking: boolean;
  /** A short description, e.g. `conv 3/4/5 × 100` or `BIF neurons`. */
  label: string;
}

/** A value during training: all T steps, `[T][batch][positions][channels]` (or flat). */
export interface TrainValue<Tensor> {
  tensor: Tensor;
  shape: ValueShape;
  /** Positions per sample in this batch (1 for flat values). */
  positions: number;
  /** Floats the tensor holds: enough for the trainer's largest batch. */
  capacity: number;
}

/** A trainable tensor of a layer, in the layout its training ops read. */
export interface TrainParamDecl {
  name: string;
  value: Float32Array;
  /** AdamW's weight decay applies (weights, not biases or neuron parameters). */
  decay: boolean;
  low?: number;
  high?: number;
}

/** What a layer's training hooks get for one batch (architecture §6.5). */
export interface TrainContext<Tensor> {
  readonly ops: TensorOps<Tensor>;
  /** `snn`: BPTT of the spiking network; `ann`: the ANN twin (one step, activations for spiking layers). */
  readonly mode: 'snn' | 'ann';
  readonly numSteps: number;
  readonly batch: number;
  /** `numSteps × batch`: the rows of a time-major value. */
  readonly rows: number;
  readonly surrogate: Surrogate;
  readonly detachReset: boolean;
  /** A trainable tensor of the layer, with its gradient. */
  param(name: string): { value: Tensor; grad: Tensor };
  /** A buffer that lives as long as the trainer, keyed by `key`, of `length` floats. */
  work(key: string, length: number): Tensor;
  /** `[rows]` (u32): positions of each row's sample valid in every channel of `shape`. */
  rowLengths(shape: ValueShape): Tensor;
  /** `[rows][channels]` valid positions of each channel and the pool's scale (1, or 1 / count). */
  poolTables(shape: ValueShape, mode: 'avg' | 'sum'): { valid: Tensor; scale: Tensor };
  neuronParams(neuron: NeuronSpec, channels: number): NeuronParams;
}

/**
 * How a layer trains (surrogate-gradient BPTT of the spiking network): its parameters, its forward
 * pass over all T steps keeping what the backward needs, and its backward pass.
 */
export interface LayerTraining<S> {
  /** Throws an `UnsupportedNetworkError` saying why this layer cannot be trained, if it cannot. */
  check?(spec: S, mode: 'snn' | 'ann'): void;
  /** Its trainable tensors from the stored weights, in the mode being trained. */
  params(spec: S, stored: (name: string) => Float32Array, mode: 'snn' | 'ann'): TrainParamDecl[];
  /** The stored tensors from trained values (default: the same names). */
  stored?(spec: S, value: (name: string) => Float32Array): [string, Float32Array][];
  /** The spec with trained values of parameters that model.json holds (e.g. learned leaks and thresholds). */
  trainedSpec?(spec: S, value: (name: string) => Float32Array | undefined): S;
  forward<Tensor>(ctx: TrainContext<Tensor>, spec: S, inputs: TrainValue<Tensor>[], output: TrainValue<Tensor>): void;
  /**
   * Writes the gradients of its parameters and, where `gradInputs[i]` is given, of input i, from
   * `gradOutput` (the gradient of its output, which it may overwrite).
   */
  backward<Tensor>(ctx: TrainContext<Tensor>, spec: S, inputs: TrainValue<Tensor>[], output: TrainValue<Tensor>, gradOutput: Tensor, gradInputs: (Tensor | null)[]): void;
}

/** The common fields of every layer in model.json. */
export interface LayerSpecBase {
  kind: string;
  name: string;
  /** Names of the layers it reads (`input` is the encoder); default: the layer before it. */
  inputs?: string[];
}

/** Thrown by `output` when a layer's inputs do not fit it; validation adds the JSON path. */
export class LayerShapeError extends Error {
  override name = 'LayerShapeError';
  constructor(
    message: string,
    /** The field the problem is in (e.g. `hidden`), if one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * A layer kind. `S` is its spec (the parsed JSON). Methods that take `inputs` get the shapes of
 * the values it reads, in the order of its `inputs`.
 */
export interface LayerModule<S extends LayerSpecBase = LayerSpecBase> {
  readonly kind: S['kind'];
  /** How many inputs it reads: exactly one, or one or more (merges). */
  readonly arity: 'one' | 'many';
  /** Reads the kind's own fields of a model.json layer at `path` (see `json.ts` for the checks). */
  parse(o: Json, path: string, base: { name: string; inputs?: string[] }, inputs: ValueShape[]): S;
  /** The output shape, or a `LayerShapeError` saying why the inputs do not fit. */
  output(spec: S, inputs: ValueShape[]): ValueShape;
  /** The tensors it reads from weights.safetensors. */
  tensors(spec: S, inputs: ValueShape[]): TensorDecl[];
  /** The tensors in the layout its kernels read (default: as stored). */
  resident?(spec: S, stored: (name: string) => Float32Array): [string, Float32Array][];
  /** Spiking layers: their neuron settings. */
  neuron?(spec: S): NeuronSpec;
  /** Positions depend on the positions before them (state carried along the sentence). */
  readonly sequential?: boolean;
  /**
   * Its neurons are channels that run through the whole sentence (a sequence-neuron layer): a
   * membrane trace asked for neuron n follows channel `n mod channels` across every position's window.
   */
  readonly alongSentence?: boolean;
  /** Reduces positional input to a flat output (runs per chunk of positions, accumulating). */
  readonly reduces?: boolean;
  /**
   * A static input (one step, the same at every step): `propagate` computes once and its output is
   * static too (stateless layers); `broadcast` reads it at every step. Absent: needs every step.
   */
  readonly staticInput?: 'propagate' | 'broadcast';
  /** Records the layer's dispatches for one range of steps and one chunk. */
  record<Tensor, NeuronState>(ctx: RecordContext<Tensor, NeuronState>, spec: S, inputs: InputValue<Tensor>[], output: OutputValue<Tensor>): void;
  /** Reducers: after every chunk, per range of steps (e.g. the average's division). */
  finish?<Tensor, NeuronState>(ctx: RecordContext<Tensor, NeuronState>, spec: S, inputs: ValueShape[], output: OutputValue<Tensor>): void;
  /** Fills `ctx.row` and returns the source of the layers it feeds. */
  energy(spec: S, ctx: EnergyContext): EnergySource;
  view(spec: S): LayerView;
  /** Training by BPTT; absent for kinds that do not train yet. */
  readonly train?: LayerTraining<S>;
}
