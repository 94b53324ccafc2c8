import { NEURON_MODELS } from '../neurons/models';
import { betaOf, neuronLanes, thresholdOf, type NeuronParams, type NeuronSequence } from './neuron';

/**
 * Backpropagation through time of the neuron step (IF / LIF / PLIF, soft or no reset) with a surrogate
 * for the derivative of the spike, twin of `shaders/neuron_backward.wgsl`. The forward step is the
 * one of `reference/neuron.ts` (`h = β·v + x`, `s = H(h − θ)`, `v' = h − θ·s`); backward, from the
 * last step to the first, with `g_t = ∂L/∂s_t` and `δ` the gradient arriving at v_t from step t + 1:
 * ```
 * σ_t  = surrogate(h_t − θ)
 * ∂L/∂h_t = g_t · σ_t + δ · (1 − θ · σ_t)        (δ · 1 when the reset is detached)
 * ∂L/∂x_t = ∂L/∂h_t,   δ ← ∂h/∂v · ∂L/∂h_t        (the model's leak: 1 for IF, β for LIF and PLIF)
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

/** What BPTT through a neuron layer gives: `∂L/∂x`, and for a model that learns β and θ, their gradient per neuron. */
export interface NeuronBackwardResult {
  /** `[T][neurons]`. */
  gradInput: Float32Array;
  /** `[neurons]` Σ_t ∂L/∂h_t · ∂h_t/∂β, when the model learns β. */
  gradBeta?: Float32Array;
  /** `[neurons]` ∂L/∂θ through the spikes, the reset and the initial potential, when the model learns θ. */
  gradThreshold?: Float32Array;
}

/**
 * `∂L/∂x [T][neurons]` from the recorded potentials `h [T][neurons]` and `∂L/∂s [T][neurons]`.
 * `detachReset` drops the reset's path (SpikingJelly's `detach_reset`). For a model that learns its
 * leak and threshold (PLIF), `spikes` (the forward's `s [T][neurons]`) gives `v_{t−1}` and the
 * gradients per neuron, accumulated from the last step to the first:
 * ```
 * ∂L/∂β += ∂L/∂h_t · v_{t−1}          v_{t−1} = h_{t−1} − θ·s_{t−1} (soft) | h_{t−1} (none),  v_{−1} = f·θ
 * ∂L/∂θ += g_t · (−σ_t) + δ_t · ∂v_t/∂θ   ∂v_t/∂θ = −s_t + θ·σ_t (soft) | −s_t (detached) | 0 (none)
 * ∂L/∂θ += δ_{−1} · f                  (the initial potential f·θ, f = vInitFraction)
 * ```
 * With `sequence` (architecture §2.5) each lane runs back through the windows of its running
 * positions, last to first, δ carried across windows; silent positions get ∂L/∂x = 0, and the
 * per-neuron gradients are per lane (`[batch][channels]`).
 */
export function neuronBackwardReference(
  params: NeuronParams,
  membrane: Float32Array,
  gradSpikes: Float32Array,
  numSteps: number,
  neurons: number,
  surrogate: Surrogate,
  detachReset: boolean,
  spikes?: Float32Array,
  sequence?: NeuronSequence,
): NeuronBackwardResult {
  const model = NEURON_MODELS[params.model];
  if (!model.trainable) throw new Error(`${params.model} neurons are converted, not trained: no backward pass`);
  const f = Math.fround;
  const learns = model.learns.length > 0;
  if (learns && !spikes) throw new Error(`${params.model} learns its leak and threshold: the backward pass needs the forward's spikes`);
  const soft = params.reset === 'soft';
  const resetPath = soft && !detachReset;
  const lanes = neuronLanes(neurons, params.channels, sequence);
  const gradX = new Float32Array(numSteps * neurons);
  const gradBeta = learns ? new Float32Array(lanes.lanes) : undefined;
  const gradThreshold = learns ? new Float32Array(lanes.lanes) : undefined;
  const initFraction = f(params.vInitFraction);
  for (let lane = 0; lane < lanes.lanes; lane++) {
    const base = lanes.base(lane);
    const theta = f(thresholdOf(params, base));
    const beta = f(betaOf(params, base));
    const leak = model.leak(beta);
    let carry = 0;
    let gb = 0;
    let gt = 0;
    // The lane's steps, last to first: step τ = w·T + t is element t·stepStride + base + w·windowStride.
    const indexOf = (tau: number) => (tau % numSteps) * lanes.stepStride + base + Math.floor(tau / numSteps) * lanes.windowStride;
    for (let tau = lanes.running(lane) * numSteps - 1; tau >= 0; tau--) {
      const index = indexOf(tau);
      const sigma = surrogateDerivative(f(membrane[index] - theta), theta, surrogate);
      const resetFactor = resetPath ? f(1 - f(theta * sigma)) : 1;
      const gradH = f(f(gradSpikes[index] * sigma) + f(carry * resetFactor));
      gradX[index] = gradH;
      if (learns) {
        const before = tau === 0 ? -1 : indexOf(tau - 1);
        const previous = tau === 0 ? f(initFraction * theta) : soft ? f(membrane[before] - f(theta * spikes![before])) : membrane[before];
        gb = f(gb + f(gradH * model.dChargeDBeta(previous)));
        const dvdTheta = !soft ? 0 : resetPath ? f(f(theta * sigma) - spikes![index]) : -spikes![index];
        gt = f(gt + f(f(-gradSpikes[index] * sigma) + f(carry * dvdTheta)));
      }
      carry = f(leak * gradH);
    }
    if (learns) {
      gradBeta![lane] = gb;
      gradThreshold![lane] = f(gt + f(carry * initFraction));
    }
  }
  return { gradInput: gradX, gradBeta, gradThreshold };
}
