import type { NeuronModel, ResetMode } from '../model/spec';
import { NEURON_MODELS } from '../neurons/models';

/**
 * Parameters of a neuron layer as the kernels see them.
 * `vThreshold` holds one value (the whole layer) or one per channel; channel = element % channels.
 */
export interface NeuronParams {
  model: NeuronModel;
  reset: ResetMode;
  vThreshold: Float32Array;
  channels: number;
  /** The leak of the whole layer. */
  beta: number;
  /** One leak per channel, when the layer has them (PLIF); overrides `beta`. */
  betas?: Float32Array;
  vReset: number;
  vInitFraction: number;
  levels: number;
}

/** Carried state of a neuron layer between calls: membrane potential and (BIF) running spike count. */
export interface NeuronState {
  v: Float32Array;
  count: Float32Array;
}

export interface NeuronRunResult {
  /** `[numSteps][neurons]`, values in {0, 1} (BIF: {−1, 0, 1}). */
  spikes: Float32Array;
  /** `[numSteps][neurons]` potential after charging and before firing (`h`), when asked for. */
  membrane?: Float32Array;
  state: NeuronState;
}

/** The initial state: v = vInitFraction · θ of the neuron's channel, count 0. */
export function initialNeuronState(params: NeuronParams, neurons: number): NeuronState {
  const v = new Float32Array(neurons);
  for (let i = 0; i < neurons; i++) v[i] = Math.fround(params.vInitFraction * thresholdOf(params, i));
  return { v, count: new Float32Array(neurons) };
}

export function thresholdOf(params: NeuronParams, neuron: number): number {
  return params.vThreshold.length === 1 ? params.vThreshold[0] : params.vThreshold[neuron % params.channels];
}

/** The leak β of element `neuron` (its channel's, or the layer's). */
export function betaOf(params: NeuronParams, neuron: number): number {
  return params.betas && params.betas.length > 1 ? params.betas[neuron % params.channels] : (params.betas?.[0] ?? params.beta);
}

/**
 * The neuron step, run over `numSteps` steps for every neuron (multi-step). One step:
 * ```
 * h = charge(v, x)        IF: h = v + x          LIF, PLIF: h = beta * v + x   (beta = retention in (0, 1])
 *                         (the charge of each model comes from the table `neurons/models.ts`)
 * s = h >= vThreshold ? 1 : 0
 * v = soft: h - s * vThreshold      hard: s ? vReset : h      none: h
 * ```
 * BIF (bipolar integrate-and-fire, lossless conversion of a quantised activation): charge as IF, then
 * `s = +1` when `h ≥ θ` and the running count is below `levels − 1`, `s = −1` when `h < 0` and the
 * count is above 0, otherwise 0; `v = h − s·θ`; `count += s`. No leak.
 *
 * Float32 throughout, rounded with `Math.fround` in the order of `shaders/neuron.wgsl`.
 * `x` is `[numSteps][neurons]`, or `[neurons]` applied at every step when `xBroadcast` (a static
 * input computed once); `state` (if given) is updated in place and returned.
 */
export function neuronMultiStep(
  params: NeuronParams,
  x: Float32Array,
  numSteps: number,
  neurons: number,
  state: NeuronState = initialNeuronState(params, neurons),
  recordMembrane = false,
  xBroadcast = false,
): NeuronRunResult {
  const spikes = new Float32Array(numSteps * neurons);
  const membrane = recordMembrane ? new Float32Array(numSteps * neurons) : undefined;
  const { v, count } = state;
  const model = NEURON_MODELS[params.model];
  const maxCount = params.levels - 1;
  for (let i = 0; i < neurons; i++) {
    const vThreshold = Math.fround(thresholdOf(params, i));
    const beta = Math.fround(betaOf(params, i));
    let potential = v[i];
    let spikeCount = count[i];
    for (let t = 0; t < numSteps; t++) {
      const index = t * neurons + i;
      const current = x[xBroadcast ? i : index];
      const h = model.charge(potential, current, beta);
      if (membrane) membrane[index] = h;
      let s = 0;
      if (model.fire === 'bipolar') {
        if (h >= vThreshold && spikeCount < maxCount) s = 1;
        else if (h < 0 && spikeCount > 0) s = -1;
        potential = s === 0 ? h : Math.fround(h - s * vThreshold);
        spikeCount += s;
      } else {
        s = h >= vThreshold ? 1 : 0;
        if (params.reset === 'soft') potential = s ? Math.fround(h - vThreshold) : h;
        else if (params.reset === 'hard') potential = s ? Math.fround(params.vReset) : h;
        else potential = h;
      }
      spikes[index] = s;
    }
    v[i] = potential;
    count[i] = spikeCount;
  }
  return { spikes, membrane, state };
}
