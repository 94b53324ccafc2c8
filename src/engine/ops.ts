import type { AnnActivation } from '../model/spec';
import type { TrainActivation } from '../reference/activation-train';
import type { AdamWSettings } from '../reference/adamw';
import type { ConvShape } from '../reference/conv';
import type { ConvTrainShape } from '../reference/conv-train';
import type { EncodeShape } from '../reference/encode';
import type { OccurrenceGroups } from '../reference/embedding-backward';
import type { LinearTrainShape } from '../reference/linear-train';
import type { NeuronParams } from '../reference/neuron';
import type { Surrogate } from '../reference/neuron-backward';
import type { PoolShape } from '../reference/pool';
import type { TokenRecurrentTrainShape } from '../reference/token-recurrent-train';
import type { LstmShape } from '../reference/lstm';

/**
 * A neuron call whose neurons run through the positions of each sample in order, carrying v from
 * one position to the next (`NeuronSequence` of the reference, architecture §2.5): `neurons` is
 * `batch × positions × channels` as usual, the state holds one neuron per (sample, channel).
 */
export interface SequenceArgs<Tensor> {
  batch: number;
  positions: number;
  /** `[batch]` (u32) positions of each sample that run, from the first; the rest are silent. */
  validPositions: Tensor;
}

/**
 * The one set of tensor operations, for inference and training. The CPU backend (`CpuOps`)
 * implements them with the reference functions on typed arrays, the oracle; the GPU backend
 * (`GpuOps`) records kernel dispatches into one command buffer. The network is walked once, in
 * `executor.ts` (inference) and `train/graph-trainer.ts` (training), over the layers' modules, for both.
 *
 * `Tensor` is the backend's handle (a typed array, or a GPU buffer with its length). Every op
 * writes its output; ranges (`tStart`/`tCount`, `rowStart`/`rowCount`) select the time steps a
 * dispatch covers. `read` finishes the recorded work and reads tensors back.
 */
export interface TensorOps<Tensor, NeuronLayer = unknown> {
  readonly kind: 'cpu' | 'gpu';
  /** True if ops accept partial time ranges (per-step dispatch). */
  readonly supportsStepRanges: boolean;

  /** A tensor of `length` floats whose contents are unspecified until an op writes them. */
  allocate(role: string, length: number): Tensor;
  upload(role: string, data: Float32Array | Int32Array | Uint32Array): Tensor;
  /** State of a neuron layer of `neurons` elements (thresholds, v, count). */
  /**
   * State of a neuron layer of `neurons` elements (thresholds, leaks, v, count). Learned thresholds
   * and leaks (`[1]` or `[channels]`, laid out as `params`' arrays) are read from `learned` when given.
   */
  neuronLayer(role: string, params: NeuronParams, neurons: number, learned?: { vThreshold: Tensor; beta: Tensor }): NeuronLayer;
  /** A tensor that lives as long as the ops (parameters, optimiser moments, buffers reused by every batch). */
  persistent(role: string, data: Float32Array | Int32Array | Uint32Array): Tensor;
  /** Overwrites the first `data.length` values of a persistent tensor. */
  write(tensor: Tensor, data: Float32Array | Int32Array | Uint32Array): void;
  clear(tensor: Tensor, length: number): void;

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
    /**
     * Neurons over the positions (state `[batch][channels]`, `layer` made for that many): the state
     * carries on from the previous call when `continues` (the chunk before), else starts afresh.
     */
    sequence?: SequenceArgs<Tensor> & { continues: boolean };
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
  /** `output = act(input)`; a quantiser reads its step from `step` (a learned tensor) when given. */
  activation(args: { count: number; activation: AnnActivation | TrainActivation; step?: Tensor; input: Tensor; output: Tensor }): void;
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
  // Training: backward passes, the loss and the optimiser.
  convWeightBackward(args: { shape: ConvTrainShape; input: Tensor; gradOutput: Tensor; lengths: Tensor; gradWeights: Tensor }): void;
  convInputBackward(args: { shape: ConvTrainShape; weights: Tensor; gradOutput: Tensor; lengths: Tensor; gradInput: Tensor }): void;
  activationBackward(args: {
    count: number;
    activation: TrainActivation;
    step: Tensor;
    input: Tensor;
    gradOutput: Tensor;
    gradInput: Tensor;
    gradStep: Tensor | null;
    stepGradScale: number;
  }): void;
  poolBackward(args: { batch: number; positions: number; channels: number; gradOutput: Tensor; validPositions: Tensor; scale: Tensor; gradInput: Tensor }): void;
  dropout(args: { count: number; rate: number; seed: number; iteration: number; input: Tensor; output: Tensor }): void;
  linearWeightBackward(args: { shape: LinearTrainShape; input: Tensor; gradOutput: Tensor; gradWeights: Tensor; gradBias: Tensor | null }): void;
  linearInputBackward(args: { shape: LinearTrainShape; weights: Tensor; gradOutput: Tensor; gradInput: Tensor }): void;
  /** Softmax cross-entropy: `gradLogits` and `stats [batch][2]` = (loss, correct). */
  crossEntropy(args: { batch: number; classes: number; gradScale: number; logits: Tensor; labels: Tensor; gradLogits: Tensor; stats: Tensor }): void;
  embeddingBackward(args: { groups: OccurrenceGroups; dim: number; gradInput: Tensor; gradTable: Tensor }): void;
  adamW(args: { count: number; settings: AdamWSettings; param: Tensor; grad: Tensor; m: Tensor; v: Tensor }): void;
  /**
   * The recurrent layer of a quantised RNN over tokens (`tokenRecurrentForwardTrainReference`): from z
   * `[batch][positions][hidden]`, u = z + U·y_{p−1}, y = act(u) (step read from `step[0]`), and
   * `previous` = y_{p−1} at row p; zeros past `lengths`. U is given transposed (`[j][h]` = U[h][j]),
   * hidden a multiple of 4.
   */
  tokenRecurrentForward(args: {
    shape: TokenRecurrentTrainShape;
    activation: TrainActivation;
    step: Tensor;
    input: Tensor;
    transposedRecurrentWeights: Tensor;
    lengths: Tensor;
    preActivation: Tensor;
    output: Tensor;
    previous: Tensor;
  }): void;
  /** Backward through time (`tokenRecurrentBackwardTrainReference`): du from dy, and the scaled step gradient. */
  tokenRecurrentBackward(args: {
    shape: TokenRecurrentTrainShape;
    activation: TrainActivation;
    step: Tensor;
    preActivation: Tensor;
    transposedRecurrentWeights: Tensor;
    lengths: Tensor;
    gradOutput: Tensor;
    gradInput: Tensor;
    gradStep: Tensor | null;
    stepGradScale: number;
  }): void;
  /**
   * BPTT through a neuron layer with a surrogate spike derivative (`neuronBackwardReference`):
   * `gradInput [numSteps][neurons]`; learned thresholds and leaks from `vThreshold` and `beta`; for
   * a model that learns them, from the forward's `spikes`, their gradients per neuron in
   * `learned.gradBeta` and `learned.gradThreshold` `[neurons]`. (The GPU kernel recomputes each
   * spike from its h, `h ≥ θ`, the forward's own test on the same bits, and does not read `spikes`.)
   */
  neuronBackward(args: {
    params: NeuronParams;
    neurons: number;
    numSteps: number;
    surrogate: Surrogate;
    detachReset: boolean;
    membrane: Tensor;
    gradSpikes: Tensor;
    gradInput: Tensor;
    vThreshold?: Tensor;
    beta?: Tensor;
    learned?: { spikes: Tensor; gradBeta: Tensor; gradThreshold: Tensor };
    /** Neurons over the positions, as the forward ran them (one call, no chunk before); per-neuron gradients `[batch][channels]`. */
    sequence?: SequenceArgs<Tensor>;
  }): void;
  /**
   * The LSTM over the positions of `sequences` sequences (`lstmForwardReference`): h `[seq][P][H]`
   * from z = W·x + b `[seq][P][4H]` and U `[4H][H]`; `lengths [seq]` positions run. The state
   * `[seq][2H]` (h, c) starts from `carry` when `continues`, else from zeros, and is written back.
   * `kept` (training): the gate activations `[seq][P][4H]` and the cells `[seq][P][H]`.
   */
  lstm(args: {
    shape: LstmShape;
    z: Tensor;
    recurrentWeights: Tensor;
    lengths: Tensor;
    carry: Tensor;
    continues: boolean;
    output: Tensor;
    kept?: { gates: Tensor; cells: Tensor };
  }): void;
  /** Backward through time of the LSTM (`lstmBackwardReference`): `gradGates` = ∂L/∂z from `gradOutput` = ∂L/∂h. */
  lstmBackward(args: { shape: LstmShape; gates: Tensor; cells: Tensor; recurrentWeights: Tensor; lengths: Tensor; gradOutput: Tensor; gradGates: Tensor }): void;
  /** `gradRecurrent [4H][H]` = Σ da_p ⊗ h_{p−1} (`lstmRecurrentGradReference`). */
  lstmRecurrentGrad(args: { shape: LstmShape; output: Tensor; gradGates: Tensor; lengths: Tensor; gradRecurrent: Tensor }): void;
  /** `output[c] = Σ_r input[r][c]` for `[rows][columns]` (`sumOverTimeReference`): per-neuron gradients summed per channel. */
  sumRows(args: { rows: number; columns: number; input: Tensor; output: Tensor }): void;

  /** Sends the work recorded so far to the device (a long run stays responsive); a no-op on the CPU. */
  flush(): void;
  /** Resolves once the work flushed so far has run (the GPU's queue drained; at once on the CPU). */
  settle(): Promise<void>;
  /**
   * Finishes the recorded work and reads the tensors back; tensors of `allocate` and `upload` are
   * released afterwards (a new batch allocates its own), persistent ones stay.
   */
  read(tensors: { tensor: Tensor; length: number }[]): Promise<Float32Array[]>;
  /** Releases everything allocated (idempotent). */
  dispose(): void;
}
