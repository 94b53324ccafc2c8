import type { AnnActivation } from '../model/spec';
import { applyActivation } from './activation';
import { initialNeuronState, neuronMultiStep, type NeuronParams } from './neuron';

/** Inputs of a token-recurrent layer over a block of positions; the GPU kernel takes them as buffers. */
export interface TokenRecurrentArgs {
  /** Steps of `x` and of the spikes (1 in ANN-twin mode). */
  numSteps: number;
  batch: number;
  positions: number;
  hidden: number;
  /** The layer's neurons; `channels` = `hidden`. */
  params: NeuronParams;
  /** `[numSteps][batch][positions][hidden]` input current, or `[batch][positions][hidden]` with `xBroadcast`. */
  x: Float32Array;
  /** `x` holds one step, the same current at every step (a static input computed once). */
  xBroadcast?: boolean;
  /** U `[hidden][hidden]`, row h = the weights into unit h. */
  recurrentWeights: Float32Array;
  /** `[batch]` positions of each sample that run; the rest are silent. */
  validPositions: Uint32Array;
  /** `[batch][hidden]` counts of the position before the first (a previous block); none: zeros. */
  carry?: Float32Array;
  recordMembrane?: boolean;
  /** ANN-twin mode (`numSteps` = 1): `y_p = act(x_p + U·y_{p−1})` instead of the neurons. */
  activation?: AnnActivation;
}

/** Output of a token-recurrent layer. */
export interface TokenRecurrentResult {
  /** `[numSteps][batch][positions][hidden]` spikes (ANN twin: the activations y_p). */
  spikes: Float32Array;
  /** Same layout: the neuron's `h` (ANN twin: the pre-activation), when asked for; 0 at silent positions. */
  membrane?: Float32Array;
  /** `[batch][hidden]` counts (ANN twin: y) of each sample's last valid position: the next block's `carry`. */
  carry: Float32Array;
}

/**
 * A token-recurrent spiking layer (see `TokenRecurrentLayerSpec`), twin of
 * `shaders/token_recurrent.wgsl`. For each sample, positions q = 0, 1, … in order, with c the counts
 * of the position before (`carry`, or 0):
 * ```
 * rec[h] = 0;  for j in 0 .. hidden − 1:  rec[h] = rec[h] + U[h][j] · c[j]
 * window of position q: v = vInitFraction · θ, count 0; at step t:
 *   x = in[t][b][q][h] (+ rec[h] at t = 0), then the neuron step of `reference/neuron.ts`
 * c[h] = Σ_t s_t   (positive minus negative spikes)
 * ```
 * In ANN-twin mode `y = act(in[0][b][q][h] + rec[h])` and c = y. Positions at or past
 * `validPositions[b]` are silent (spikes 0) and leave c unchanged. Float32, rounded in the kernel's order.
 */
export function tokenRecurrentReference(args: TokenRecurrentArgs): TokenRecurrentResult {
  const { numSteps, batch, positions, hidden, params, x, recurrentWeights, activation } = args;
  if (activation && numSteps !== 1) throw new RangeError(`The ANN twin of a token-recurrent layer runs one step, not ${numSteps}.`);
  const perStep = batch * positions * hidden;
  const spikes = new Float32Array(numSteps * perStep);
  const membrane = args.recordMembrane ? new Float32Array(numSteps * perStep) : undefined;
  const carry = args.carry ? Float32Array.from(args.carry.subarray(0, batch * hidden)) : new Float32Array(batch * hidden);
  const window = new Float32Array(numSteps * hidden);
  const rec = new Float32Array(hidden);
  for (let b = 0; b < batch; b++) {
    const counts = carry.subarray(b * hidden, (b + 1) * hidden);
    const valid = Math.min(positions, args.validPositions[b]);
    for (let q = 0; q < valid; q++) {
      for (let h = 0; h < hidden; h++) {
        let sum = 0;
        for (let j = 0; j < hidden; j++) sum = Math.fround(sum + Math.fround(recurrentWeights[h * hidden + j] * counts[j]));
        rec[h] = sum;
      }
      const base = (b * positions + q) * hidden;
      if (activation) {
        for (let h = 0; h < hidden; h++) {
          const current = Math.fround(x[base + h] + rec[h]);
          if (membrane) membrane[base + h] = current;
          spikes[base + h] = applyActivation(current, activation);
          counts[h] = spikes[base + h];
        }
        continue;
      }
      for (let t = 0; t < numSteps; t++) {
        const from = (args.xBroadcast ? 0 : t * perStep) + base;
        window.set(x.subarray(from, from + hidden), t * hidden);
      }
      for (let h = 0; h < hidden; h++) window[h] = Math.fround(window[h] + rec[h]);
      const run = neuronMultiStep(params, window, numSteps, hidden, initialNeuronState(params, hidden), args.recordMembrane);
      counts.fill(0);
      for (let t = 0; t < numSteps; t++) {
        for (let h = 0; h < hidden; h++) {
          const s = run.spikes[t * hidden + h];
          spikes[t * perStep + base + h] = s;
          if (membrane) membrane[t * perStep + base + h] = run.membrane![t * hidden + h];
          counts[h] += s;
        }
      }
    }
  }
  return { spikes, membrane, carry };
}
