import { thresholdOf, type NeuronParams } from './neuron';

/**
 * Backpropagation through time of the neuron step (IF / LIF, soft or no reset) with a surrogate
 * for the derivative of the spike, twin of `shaders/neuron_backward.wgsl`. The forward step is the
 * one of `reference/neuron.ts` (`h = β·v + x`, `s = H(h − θ)`, `v' = h − θ·s`); backward, from the
 * last step to the first, with `g_t = ∂L/∂s_t` and `δ` the gradient arriving at v_t from step t + 1:
 * ```
 * σ_t  = surrogate(h_t − θ)
 * ∂L/∂h_t = g_t · σ_t + δ · (1 − θ · σ_t)        (δ · 1 when the reset is detached)
 * ∂L/∂x_t = ∂L/∂h_t,   δ ← β · ∂L/∂h_t           (β = 1 for IF)
 * fast sigmoid (default): σ(u) = 1 / (1 + k·|u|)², k = 25 (architecture §2.2)
 * piecewise linear:       σ(u) = 0.3 · max(0, 1 − |u / θ|)   (LITE-SNN)
 * ```
 * Without reset (`reset: 'none'`) the θ·σ term is absent. Float32 with `Math.fround` in kernel order.
 */
export type Surrogate = { kind: 'fast-sigmoid'; slope: number } | { kind: 'piecewise-linear' };

export const DEFAULT_SURROGATE: Surrogate = { kind: 'fast-sigmoid', slope: 25 };

/** σ(u) of the module comment, for u = h − θ. */
export function surrogateDerivative(u: number, vThreshold: number, surrogate: Surrogate): number {
  const f = Math.fround;
  if (surrogate.kind === 'fast-sigmoid') {
    const d = f(1 + f(f(surrogate.slope) * Math.abs(u)));
    return f(1 / f(d * d));
  }
  return f(0.3 * Math.max(0, f(1 - Math.abs(f(u / vThreshold)))));
}

/**
 * `∂L/∂x [T][neurons]` from the recorded potentials `h [T][neurons]` and `∂L/∂s [T][neurons]`.
 * `detachReset` drops the reset's path (SpikingJelly's `detach_reset`).
 */
export function neuronBackwardReference(
  params: NeuronParams,
  membrane: Float32Array,
  gradSpikes: Float32Array,
  numSteps: number,
  neurons: number,
  surrogate: Surrogate,
  detachReset: boolean,
): Float32Array {
  if (params.model === 'BIF') throw new Error('BIF neurons are converted, not trained: no backward pass');
  const f = Math.fround;
  const beta = params.model === 'LIF' ? f(params.beta) : 1;
  const gradX = new Float32Array(numSteps * neurons);
  for (let i = 0; i < neurons; i++) {
    const theta = f(thresholdOf(params, i));
    let carry = 0;
    for (let t = numSteps - 1; t >= 0; t--) {
      const index = t * neurons + i;
      const sigma = surrogateDerivative(f(membrane[index] - theta), theta, surrogate);
      const resetFactor = params.reset === 'soft' && !detachReset ? f(1 - f(theta * sigma)) : 1;
      const gradH = f(f(gradSpikes[index] * sigma) + f(carry * resetFactor));
      gradX[index] = gradH;
      carry = f(beta * gradH);
    }
  }
  return gradX;
}
