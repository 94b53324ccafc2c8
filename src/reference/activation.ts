import type { AnnActivation } from '../model/spec';

/**
 * The ANN twin's activation of one value (what a neuron layer becomes without spikes):
 * ```
 * relu:     y = max(x, 0)
 * identity: y = x
 * quant:    y = step · clamp(floor(x / step + 0.5), 0, levels − 1)     (architecture §2.3)
 * ```
 * Float32, rounded with `Math.fround` after each operation in the order of
 * `shaders/activation_function.wgsl`, so that quantised activations agree exactly with the GPU.
 */
export function applyActivation(x: number, activation: AnnActivation): number {
  switch (activation.kind) {
    case 'relu':
      return x > 0 ? x : 0;
    case 'identity':
      return x;
    case 'quant': {
      const step = Math.fround(activation.step);
      const level = Math.floor(Math.fround(Math.fround(x / step) + 0.5));
      return Math.fround(step * Math.min(Math.max(level, 0), activation.levels - 1));
    }
  }
}

/** Applies `activation` to every element of `input` (the twin of `shaders/activation.wgsl`); returns a new array. */
export function activationReference(input: Float32Array, activation: AnnActivation): Float32Array {
  const output = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) output[i] = applyActivation(input[i], activation);
  return output;
}
