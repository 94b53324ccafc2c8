import type { AnnActivation } from '../model/spec';
import type { ConvShape } from '../reference/conv';
import type { EncodeShape } from '../reference/encode';
import type { NeuronParams } from '../reference/neuron';
import type { PoolShape } from '../reference/pool';

/**
 * The operations the executor needs from a backend. The CPU backend implements them with the
 * reference functions on typed arrays; the GPU backend records kernel dispatches into one command
 * buffer. The network is walked once, in `executor.ts`, for both: model code is not written twice.
 *
 * `Tensor` is the backend's handle (a Float32Array, or a GPU buffer with its length). Every op writes
 * its `output`; ranges (`tStart`/`tCount`, `rowStart`/`rowCount`) select the time steps a dispatch covers.
 */
export interface TensorOps<Tensor, NeuronLayer> {
  readonly kind: 'cpu' | 'gpu';
  /** True if ops accept partial time ranges (per-step dispatch). */
  readonly supportsStepRanges: boolean;

  /** A tensor of `length` floats whose contents are unspecified until an op writes them. */
  allocate(role: string, length: number): Tensor;
  upload(role: string, data: Float32Array | Int32Array | Uint32Array): Tensor;
  /** State of a neuron layer of `neurons` elements (thresholds, v, count). */
  neuronLayer(role: string, params: NeuronParams, neurons: number): NeuronLayer;

  encode(args: {
    kind: 'rate' | 'direct';
    seed: number;
    shape: EncodeShape;
    tStart: number;
    tCount: number;
    positionOffset: number;
    tokenIds: Tensor;
    probabilities: Tensor;
    streamIds: Tensor;
    output: Tensor;
    /** Input presented at step 0 only (`encoder.presentation === 'first-step'`). */
    firstStepOnly?: boolean;
  }): void;
  conv(args: {
    shape: ConvShape;
    rowStart: number;
    rowCount: number;
    input: Tensor;
    weights: Tensor;
    bias: Tensor | null;
    lengths: Tensor;
    output: Tensor;
  }): void;
  linear(args: {
    rows: number;
    rowStart: number;
    rowCount: number;
    inFeatures: number;
    outFeatures: number;
    input: Tensor;
    weights: Tensor;
    bias: Tensor | null;
    output: Tensor;
  }): void;
  neuron(args: {
    params: NeuronParams;
    neurons: number;
    tStart: number;
    tCount: number;
    x: Tensor;
    spikes: Tensor;
    layer: NeuronLayer;
    membrane?: Tensor;
    /** `x` holds one step, the same current at every step (a static input computed once). */
    xBroadcast?: boolean;
  }): void;
  recurrent(args: {
    numSteps: number;
    tStart: number;
    tCount: number;
    batch: number;
    hidden: number;
    params: NeuronParams;
    inputCurrent: Tensor;
    recurrentWeights: Tensor;
    spikes: Tensor;
    layer: NeuronLayer;
    membrane?: Tensor;
    activation?: AnnActivation;
  }): void;
  /**
   * A token-recurrent layer over a block of `positions` positions, all `numSteps` steps of each
   * (`tokenRecurrentReference`): counts of the position before the block from `carry` when
   * `continues` (else 0), the last valid position's counts written back to `carry`.
   */
  tokenRecurrent(args: {
    numSteps: number;
    batch: number;
    positions: number;
    hidden: number;
    params: NeuronParams;
    x: Tensor;
    xBroadcast?: boolean;
    recurrentWeights: Tensor;
    /** `[batch]` (u32) positions of each sample in the block that run; the rest are silent. */
    validPositions: Tensor;
    /** `[batch][hidden]`. */
    carry: Tensor;
    continues: boolean;
    spikes: Tensor;
    layer: NeuronLayer;
    membrane?: Tensor;
    activation?: AnnActivation;
  }): void;
  activation(args: { count: number; activation: AnnActivation; input: Tensor; output: Tensor }): void;
  /**
   * Places (or adds, with `accumulate`) the input's `[groups][positionsIn][channelsIn]` at channel
   * `channelOffset` of the output's `[groups][positionsOut][channelsOut]`, zeros past the input's
   * positions (`placeReference`), for groups `[groupStart, groupStart + groups)`.
   */
  place(args: {
    groups: number;
    groupStart: number;
    positionsIn: number;
    channelsIn: number;
    positionsOut: number;
    channelsOut: number;
    channelOffset: number;
    accumulate: boolean;
    input: Tensor;
    output: Tensor;
  }): void;
  poolSum(args: {
    shape: PoolShape;
    rowStart: number;
    rowCount: number;
    input: Tensor;
    validPositions: Tensor;
    output: Tensor;
    accumulate: boolean;
  }): void;
  scaleRows(args: {
    rows: number;
    rowStart: number;
    rowCount: number;
    batch: number;
    channels: number;
    values: Tensor;
    scale: Tensor;
  }): void;
  countEvents(args: { numSteps: number; batch: number; positions: number; channels: number; input: Tensor; output: Tensor }): void;
  readout(args: { numSteps: number; batch: number; classes: number; population: number; input: Tensor; output: Tensor }): void;
  /** Sends the work recorded so far to the device (a long run stays responsive); a no-op on the CPU. */
  flush(): void;
  /** Finishes the recorded work and reads the tensors back, once. */
  read(tensors: { tensor: Tensor; length: number }[]): Promise<Float32Array[]>;
  /** Releases everything allocated for this run (idempotent). */
  dispose(): void;
}
