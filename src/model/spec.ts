/**
 * The typed description of a spiking text classifier and of its ANN twin.
 *
 * A network is a token encoder followed by a list of layers. Tensors flowing between layers are
 * time-major. Layers before pooling are *positional*: `[T][batch][positions][channels]`; after
 * pooling they are flat: `[T][batch][channels]`. A convolution layer with several widths writes
 * all its branches side by side on the channel axis (branch-major), over the positions of its
 * narrowest branch; a position that a wider branch (or a shorter sentence) does not reach is
 * *masked*: its current is 0 and pooling skips it.
 *
 * The same description runs as an SNN (neuron layers integrate and fire over `numSteps` steps) and
 * as its ANN twin (one step, each neuron layer replaced by its `ann` activation).
 *
 * Pure data: no GPU, DOM or worker code may be imported here.
 */

/** How a word's embedding becomes input: Bernoulli spikes of probability p, or p as a constant current. */
export type EncodingKind = 'rate' | 'direct';

/**
 * Encoder settings (architecture §1.2): with the global mean μ and std σ of the embedding table,
 * `p = (clip(x, μ − kσ, μ + kσ) − μ + kσ) / (2kσ)`, k = `clipSigmas` (3 in the paper).
 */
export interface EncoderSpec {
  kind: EncodingKind;
  /** Embedding dimension D (channels of the encoder's output). */
  embeddingDim: number;
  mean: number;
  std: number;
  clipSigmas: number;
  /**
   * Lower end of the clip range in σ below μ (default `clipSigmas`, the symmetric range):
   * `p = (clip(x, μ − kL·σ, μ + k·σ) − μ + kL·σ) / ((kL + k)·σ)`. 0 makes every component below
   * the mean silent: a sparse input, about a quarter of the spikes of the symmetric one.
   */
  clipLowSigmas?: number;
  /**
   * Binary input: `p = x ≥ μ + kB·σ ? 1 : 0` with kB = `binarySigmas` (the clip range is then
   * unused). With rate encoding presented at the first step, each such component fires one spike.
   */
  binarySigmas?: number;
  /** Sentences shorter than this are padded with silent tokens (p = 0) up to it. */
  minLength: number;
  /**
   * `every-step` (default) feeds the input at every step; `first-step` presents it once, at step 0,
   * and nothing afterwards: p as a current (direct; the analog input of Su et al., architecture §2.3, which
   * BIF neurons convert losslessly), or one Bernoulli draw (rate; with binary input, exactly one
   * spike per component at or above the threshold).
   */
  presentation?: 'every-step' | 'first-step';
}

/** The neuron models of the table `neurons/models.ts` (architecture §7). */
export type NeuronModel = 'IF' | 'LIF' | 'BIF' | 'PLIF';
export type ResetMode = 'soft' | 'hard' | 'none';

/** What a neuron layer becomes in the ANN twin. */
export type AnnActivation =
  | { kind: 'relu' }
  | { kind: 'identity' }
  /** `y = step · clamp(floor(x / step + 0.5), 0, levels − 1)` (architecture §2.3). */
  | { kind: 'quant'; step: number; levels: number };

/** The settings of spiking neurons (architecture §3), shared by every spiking layer kind. */
export interface NeuronSpec {
  model: NeuronModel;
  reset: ResetMode;
  /** One threshold for the layer (length 1) or one per channel. */
  vThreshold: number[];
  /**
   * Membrane retention (the leak) of LIF and PLIF neurons, in (0, 1]: one for the layer, or (PLIF
   * neuron layers) one per channel. Ignored by IF and BIF.
   */
  beta: number | number[];
  /** Potential after a hard reset. */
  vReset: number;
  /** Initial potential as a fraction of the neuron's threshold (BIF uses 0.5). */
  vInitFraction: number;
  /** BIF only: the spike count of a neuron stays within [0, levels − 1]. */
  levels: number;
  ann: AnnActivation;
}

export type { ConvLayerSpec } from '../layers/conv';
export type { NeuronLayerSpec, SequenceNeuronLayerSpec } from '../layers/neuron';
export type { PoolLayerSpec } from '../layers/pool';
export type { LinearLayerSpec } from '../layers/linear';
export type { RecurrentLayerSpec } from '../layers/recurrent';
export type { TokenRecurrentLayerSpec } from '../layers/token-recurrent';
export type { LstmLayerSpec } from '../layers/lstm';
export type { ConcatLayerSpec, AddLayerSpec } from '../layers/merge';
import type { ConvLayerSpec } from '../layers/conv';
import type { NeuronLayerSpec, SequenceNeuronLayerSpec } from '../layers/neuron';
import type { PoolLayerSpec } from '../layers/pool';
import type { LinearLayerSpec } from '../layers/linear';
import type { RecurrentLayerSpec } from '../layers/recurrent';
import type { TokenRecurrentLayerSpec } from '../layers/token-recurrent';
import type { LstmLayerSpec } from '../layers/lstm';
import type { ConcatLayerSpec, AddLayerSpec } from '../layers/merge';

/** Every layer a network can hold (one module per kind in `src/layers/`). */
export type LayerSpec =
  | ConvLayerSpec
  | NeuronLayerSpec
  | SequenceNeuronLayerSpec
  | PoolLayerSpec
  | LinearLayerSpec
  | RecurrentLayerSpec
  | TokenRecurrentLayerSpec
  | LstmLayerSpec
  | ConcatLayerSpec
  | AddLayerSpec;

/**
 * The prediction: the last layer's outputs summed over T and over each class's population: spike
 * counts of a spiking last layer, or the summed currents of a non-spiking one (a linear readout:
 * the membrane of an integrator that never fires, architecture §1.6).
 */
export interface ReadoutSpec {
  classes: string[];
  /** Output neurons per class (1, or e.g. 10 for population coding); class-major. */
  population: number;
}

export interface NetworkSpec {
  encoder: EncoderSpec;
  layers: LayerSpec[];
  readout: ReadoutSpec;
}

export { convWeightName, convBiasName } from '../layers/conv';
export { isSpikingKind } from '../layers/registry';
export { layerShapes, type LayerShape } from '../layers/graph';
