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
 * Neurons that run through the positions of each sample in order (architecture §2.5): one neuron
 * per (sample, channel) walks positions 0, 1, … of its sample, each for all the call's steps, and
 * carries v from one position to the next. The tensors keep the positional layout
 * `[T][batch][positions][channels]`; step t of the output is step t of each position's window.
 * Positions from `validPositions[b]` on are silent (spikes and membrane 0) and leave the state as is.
 */
export interface NeuronSequence {
  batch: number;
  positions: number;
  /** `[batch]` positions of each sample that run, from the first. */
  validPositions: Uint32Array;
}

/**
 * How a call's neurons (lanes) map to tensor elements: element `t·stepStride + base(lane) +
 * w·windowStride` at step t of window w. A plain layer has one window and a lane per element; a
 * sequence (`NeuronSequence`) a lane per (sample, channel) and a window per position.
 */
export interface NeuronLanes {
  lanes: number;
  /** Elements per step. */
  stepStride: number;
  windowStride: number;
  base(lane: number): number;
  /** Windows that run for a lane (the rest are silent). */
  running(lane: number): number;
}

/** The lanes of a call over `neurons` elements per step (`channels` per position). */
export function neuronLanes(neurons: number, channels: number, sequence?: NeuronSequence): NeuronLanes {
  if (!sequence) return { lanes: neurons, stepStride: neurons, windowStride: 0, base: (i) => i, running: () => 1 };
  const { batch, positions, validPositions } = sequence;
  if (batch * positions * channels !== neurons) throw new RangeError(`a sequence of ${batch} × ${positions} positions × ${channels} channels is not ${neurons} neurons`);
  return {
    lanes: batch * channels,
    stepStride: neurons,
    windowStride: channels,
    base: (lane) => Math.floor(lane / channels) * positions * channels + (lane % channels),
    running: (lane) => Math.min(positions, validPositions[Math.floor(lane / channels)]),
  };
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
 * input computed once); `state` (if given) is updated in place and returned. With `sequence`, the
 * neurons are its lanes (one per sample and channel, state `[batch][channels]`) and positions past
 * a sample's valid ones are left 0.
 */
export function neuronMultiStep(
  params: NeuronParams,
  x: Float32Array,
  numSteps: number,
  neurons: number,
  state?: NeuronState,
  recordMembrane = false,
  xBroadcast = false,
  sequence?: NeuronSequence,
): NeuronRunResult {
  const lanes = neuronLanes(neurons, params.channels, sequence);
  state ??= initialNeuronState(params, lanes.lanes);
  const spikes = new Float32Array(numSteps * neurons);
  const membrane = recordMembrane ? new Float32Array(numSteps * neurons) : undefined;
  const { v, count } = state;
  const model = NEURON_MODELS[params.model];
  const maxCount = params.levels - 1;
  for (let lane = 0; lane < lanes.lanes; lane++) {
    const base = lanes.base(lane);
    const vThreshold = Math.fround(thresholdOf(params, base));
    const beta = Math.fround(betaOf(params, base));
    let potential = v[lane];
    let spikeCount = count[lane];
    const windows = lanes.running(lane);
    for (let w = 0; w < windows; w++) {
      const element = base + w * lanes.windowStride;
      for (let t = 0; t < numSteps; t++) {
        const index = t * lanes.stepStride + element;
        const current = x[xBroadcast ? element : index];
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
    }
    v[lane] = potential;
    count[lane] = spikeCount;
  }
  return { spikes, membrane, state };
}
