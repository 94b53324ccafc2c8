import type { AnnActivation } from '../model/spec';
import { applyActivation } from './activation';
import { initialNeuronState, neuronMultiStep, type NeuronParams, type NeuronState } from './neuron';

/** Inputs of a recurrent spiking layer, shared by the reference and the GPU kernel (there as buffers). */
export interface RecurrentArgs {
  numSteps: number;
  batch: number;
  hidden: number;
  /** The layer's neurons; `channels` = `hidden` (a threshold per hidden unit, or one for all). */
  params: NeuronParams;
  /** `[numSteps][batch][hidden]`: `W·in_t + b`, computed beforehand by the linear kernel. */
  inputCurrent: Float32Array;
  /** U `[hidden][hidden]`, row h = the weights into unit h. */
  recurrentWeights: Float32Array;
  recordMembrane?: boolean;
  /** ANN-twin mode: `y_t = act(in_t + U·y_{t−1})` instead of the neuron step. */
  activation?: AnnActivation;
}

/** Output of a recurrent layer. */
export interface RecurrentResult {
  /** `[numSteps][batch][hidden]` spikes (ANN twin: the activations y_t). */
  spikes: Float32Array;
  /** `[numSteps][batch][hidden]`: the neuron's `h` (ANN twin: the pre-activation x_t), when asked for. */
  membrane?: Float32Array;
  /** Neuron state `[batch][hidden]` after the last step (the initial state in ANN-twin mode). */
  state: NeuronState;
}

/**
 * A recurrent spiking layer (architecture §1.5), twin of `shaders/recurrent.wgsl`. At each step t, for each
 * sample and hidden unit h, with s_prev = s_{t−1} of the same sample (0 at t = 0):
 * ```
 * rec = 0;  for j in 0 .. hidden − 1:  rec = rec + U[h][j] · s_prev[j]
 * x = inputCurrent[t][b][h] + rec
 * ```
 * then the neuron step of `reference/neuron.ts` (one step, state carried), or `act(x)` in ANN-twin mode.
 * Float32, rounded after each operation in the kernel's order.
 */
export function recurrentReference(args: RecurrentArgs): RecurrentResult {
  const { numSteps, batch, hidden, params, inputCurrent, recurrentWeights, activation } = args;
  const neurons = batch * hidden;
  const spikes = new Float32Array(numSteps * neurons);
  const membrane = args.recordMembrane ? new Float32Array(numSteps * neurons) : undefined;
  const state = initialNeuronState(params, neurons);
  const current = new Float32Array(neurons);
  for (let t = 0; t < numSteps; t++) {
    for (let b = 0; b < batch; b++) {
      for (let h = 0; h < hidden; h++) {
        let rec = 0;
        if (t > 0) {
          const previous = (t - 1) * neurons + b * hidden;
          for (let j = 0; j < hidden; j++) rec = Math.fround(rec + Math.fround(recurrentWeights[h * hidden + j] * spikes[previous + j]));
        }
        current[b * hidden + h] = Math.fround(inputCurrent[t * neurons + b * hidden + h] + rec);
      }
    }
    if (activation) {
      for (let i = 0; i < neurons; i++) spikes[t * neurons + i] = applyActivation(current[i], activation);
      membrane?.set(current, t * neurons);
      continue;
    }
    const step = neuronMultiStep(params, current, 1, neurons, state, args.recordMembrane);
    spikes.set(step.spikes, t * neurons);
    if (membrane && step.membrane) membrane.set(step.membrane, t * neurons);
  }
  return { spikes, membrane, state };
}
