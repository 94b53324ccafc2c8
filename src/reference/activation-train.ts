import type { AnnActivation } from '../model/spec';
import { applyActivation } from './activation';

/**
 * The ANN activations of training with their gradients; twin of `shaders/activation_train.wgsl`.
 * The forward pass is `applyActivation` (exactly the engine's ANN twin), with the quantiser's step
 * `s` read from a learned parameter. Backward, with `u = x / s` and `n = floor(u + 0.5)`:
 * ```
 * relu:   dx = dy · [x > 0]
 * quant:  dx = dy · [0 < u < L − 1]                        (straight-through inside the clip range)
 *         ds = Σ dy · (u ≤ 0 ? 0 : u ≥ L − 1 ? L − 1 : n − u)   (LSQ, Esser et al. 2020)
 * ```
 * The step gradient is reduced in two stages (chunks of `STEP_GRAD_CHUNK` elements, then the
 * chunks), so the GPU sums deterministically without atomics; the total is multiplied by
 * `stepGradScale` (LSQ's 1/√(N·(L−1)) keeps the step's updates in proportion to the weights').
 */
export const STEP_GRAD_CHUNK = 256;

/** What a training activation is: relu, identity or the quantiser with `levels` (step learned). */
export type TrainActivation = { kind: 'relu' } | { kind: 'identity' } | { kind: 'quant'; levels: number };

export function activationForwardTrainReference(input: Float32Array, activation: TrainActivation, step: number): Float32Array {
  const ann: AnnActivation = activation.kind === 'quant' ? { kind: 'quant', step, levels: activation.levels } : activation;
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = applyActivation(input[i], ann);
  return out;
}

/** Input gradient and (quant) the scaled step gradient. */
export function activationBackwardTrainReference(
  input: Float32Array,
  gradOutput: Float32Array,
  activation: TrainActivation,
  step: number,
  stepGradScale: number,
): { gradInput: Float32Array; gradStep: number } {
  const gradInput = new Float32Array(input.length);
  let gradStep = 0;
  for (let chunk = 0; chunk * STEP_GRAD_CHUNK < input.length; chunk++) {
    let partial = 0;
    for (let i = chunk * STEP_GRAD_CHUNK; i < Math.min(input.length, (chunk + 1) * STEP_GRAD_CHUNK); i++) {
      const x = input[i];
      const dy = gradOutput[i];
      if (activation.kind === 'relu') gradInput[i] = x > 0 ? dy : 0;
      else if (activation.kind === 'identity') gradInput[i] = dy;
      else {
        const u = Math.fround(x / step);
        const top = activation.levels - 1;
        if (u <= 0) gradInput[i] = 0;
        else if (u >= top) {
          gradInput[i] = 0;
          partial += dy * (activation.levels - 1);
        } else {
          gradInput[i] = dy;
          partial += dy * Math.fround(Math.floor(Math.fround(u + 0.5)) - u);
        }
      }
    }
    gradStep += partial;
  }
  return { gradInput, gradStep: gradStep * stepGradScale };
}
