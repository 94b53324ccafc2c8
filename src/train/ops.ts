import type { TrainActivation } from '../reference/activation-train';
import type { AdamWSettings } from '../reference/adamw';
import type { ConvTrainShape } from '../reference/conv-train';
import type { OccurrenceGroups } from '../reference/embedding-backward';
import type { LinearTrainShape } from '../reference/linear-train';
import type { TokenRecurrentTrainShape } from '../reference/token-recurrent-train';
import type { EncodeShape } from '../reference/encode';
import type { NeuronParams } from '../reference/neuron';
import type { Surrogate } from '../reference/neuron-backward';

/**
 * The operations training needs, as the engine's `TensorOps` for inference: the CPU implements them
 * with the reference functions (the oracle), the GPU records kernel dispatches into one command
 * buffer per batch. The model's forward and backward passes are written once, in `textcnn.ts`.
 *
 * Every op overwrites its output. `read` finishes the recorded work and reads tensors back.
 */
export interface TrainOps<Tensor> {
  readonly kind: 'cpu' | 'gpu';
  /** A tensor that lives as long as the ops (parameters, optimiser moments, per-batch buffers reused). */
  persistent(role: string, data: Float32Array | Int32Array | Uint32Array): Tensor;
  /** Overwrites the first `data.length` values of a persistent tensor. */
  write(tensor: Tensor, data: Float32Array | Int32Array | Uint32Array): void;
  /** A small per-batch upload, released after the next `read`. */
  upload(role: string, data: Float32Array | Int32Array | Uint32Array): Tensor;
  clear(tensor: Tensor, length: number): void;

  /** `output[b][j] = table[ids[b][j]]` (zeros for ids < 0), `[batch][tokens][dim]`. */
  gather(args: { batch: number; tokens: number; dim: number; tokenIds: Tensor; table: Tensor; output: Tensor }): void;
  /** The inference convolution (`convReference`) with one row per sample, no bias, masked past `lengths`. */
  convForward(args: { shape: ConvTrainShape; input: Tensor; weights: Tensor; lengths: Tensor; output: Tensor }): void;
  convWeightBackward(args: { shape: ConvTrainShape; input: Tensor; gradOutput: Tensor; lengths: Tensor; gradWeights: Tensor }): void;
  convInputBackward(args: { shape: ConvTrainShape; weights: Tensor; gradOutput: Tensor; lengths: Tensor; gradInput: Tensor }): void;
  activationForward(args: { count: number; activation: TrainActivation; step: Tensor; input: Tensor; output: Tensor }): void;
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
  /** `output[b][c] = scale[b][c] · Σ_{q < valid[b][c]} input[b][q][c]`. */
  poolForward(args: { batch: number; positions: number; channels: number; input: Tensor; validPositions: Tensor; scale: Tensor; output: Tensor }): void;
  poolBackward(args: { batch: number; positions: number; channels: number; gradOutput: Tensor; validPositions: Tensor; scale: Tensor; gradInput: Tensor }): void;
  dropout(args: { count: number; rate: number; seed: number; iteration: number; input: Tensor; output: Tensor }): void;
  /** The inference linear layer (`linearReference`): `output = input · Wᵀ (+ bias)`. */
  linearForward(args: { shape: LinearTrainShape; input: Tensor; weights: Tensor; bias: Tensor | null; output: Tensor }): void;
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
  /** The inference encoder's rate spikes (`encodeReference`, kind `rate`) for all steps: `output [numSteps][batch][tokens][dim]`. */
  encodeRate(args: { seed: number; shape: EncodeShape; tokenIds: Tensor; probabilities: Tensor; streamIds: Tensor; firstStepOnly: boolean; output: Tensor }): void;
  /**
   * A neuron layer over all steps from its initial state (`neuronMultiStep`): `spikes` and potentials
   * h `membrane`, `[numSteps][neurons]`. Learned thresholds and leaks (`[1]` or `[channels]`) are read
   * from `vThreshold` and `beta` when given, instead of `params`.
   */
  neuronForward(args: { params: NeuronParams; neurons: number; numSteps: number; input: Tensor; spikes: Tensor; membrane: Tensor; vThreshold?: Tensor; beta?: Tensor }): void;
  /**
   * BPTT through a neuron layer with a surrogate spike derivative (`neuronBackwardReference`):
   * `gradInput [numSteps][neurons]`; for a model that learns β and θ, from the forward's `spikes`,
   * their gradients per neuron in `learned.gradBeta` and `learned.gradThreshold` `[neurons]`.
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
  }): void;
  /** `output[c] = Σ_r input[r][c]` for `[rows][columns]` (`sumOverTimeReference`): per-neuron gradients summed per channel. */
  sumRows(args: { rows: number; columns: number; input: Tensor; output: Tensor }): void;

  /** Finishes the recorded work and reads `tensors` back (first `length` values each). */
  read(tensors: { tensor: Tensor; length: number }[]): Promise<Float32Array[]>;
  dispose(): void;
}

/** AdamW settings with the moments every trainer here uses: β1 = 0.9, β2 = 0.999, ε = 1e-8. */
export function adamWSettings(args: Pick<AdamWSettings, 'learningRate' | 'weightDecay' | 'step' | 'low' | 'high'>): AdamWSettings {
  return { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, ...args };
}

/** Finishes the batch and sums the cross-entropy's `stats [batch][2]`: its loss and correct predictions. */
export async function readLossAndCorrect<Tensor>(ops: TrainOps<Tensor>, stats: Tensor, batch: number): Promise<{ loss: number; correct: number }> {
  const [values] = await ops.read([{ tensor: stats, length: 2 * batch }]);
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < batch; b++) {
    loss += values[2 * b];
    correct += values[2 * b + 1];
  }
  return { loss, correct };
}
