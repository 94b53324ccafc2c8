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
 * Encoder settings (DESIGN §1.1): with the global mean μ and std σ of the embedding table,
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
   * and nothing afterwards: p as a current (direct; the analog input of Su et al., DESIGN §1.2, which
   * BIF neurons convert losslessly), or one Bernoulli draw (rate; with binary input, exactly one
   * spike per component at or above the threshold).
   */
  presentation?: 'every-step' | 'first-step';
}

export type NeuronModel = 'IF' | 'LIF' | 'BIF';
export type ResetMode = 'soft' | 'hard' | 'none';

/** What a neuron layer becomes in the ANN twin. */
export type AnnActivation =
  | { kind: 'relu' }
  | { kind: 'identity' }
  /** `y = step · clamp(floor(x / step + 0.5), 0, levels − 1)` (DESIGN §1.2). */
  | { kind: 'quant'; step: number; levels: number };

/** A layer of spiking neurons, one per element of its input. */
export interface NeuronLayerSpec {
  kind: 'neuron';
  name: string;
  model: NeuronModel;
  reset: ResetMode;
  /** One threshold for the layer (length 1) or one per channel. */
  vThreshold: number[];
  /** Membrane retention of LIF neurons, in (0, 1]. Ignored by IF and BIF. */
  beta: number;
  /** Potential after a hard reset. */
  vReset: number;
  /** Initial potential as a fraction of the neuron's threshold (BIF uses 0.5). */
  vInitFraction: number;
  /** BIF only: the spike count of a neuron stays within [0, levels − 1]. */
  levels: number;
  ann: AnnActivation;
}

/** Parallel 1-D convolutions over token positions, one branch per width, no padding. */
export interface ConvLayerSpec {
  kind: 'conv';
  name: string;
  inChannels: number;
  widths: number[];
  /** Filters per branch; the output has `widths.length × filters` channels. */
  filters: number;
  /** Weights per branch, `[filters][width][inChannels]` row-major (see `convWeightName`). */
  bias: boolean;
}

/** Reduction over positions: sum, or average over the positions that are not masked. */
export interface PoolLayerSpec {
  kind: 'pool';
  name: string;
  mode: 'avg' | 'sum';
}

/** Fully connected: `y = W x (+ b)`, W `[outFeatures][inFeatures]`. */
export interface LinearLayerSpec {
  kind: 'linear';
  name: string;
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
}

/**
 * A recurrent spiking layer over the time steps of the sequence:
 * `x_t = W·in_t + U·s_{t−1} (+ b)`, then the neuron step. W `[hidden][in]`, U `[hidden][hidden]`.
 * In the ANN twin: `h_t = act(W·in_t + U·h_{t−1} + b)` over the same steps.
 */
export interface RecurrentLayerSpec {
  kind: 'recurrent';
  name: string;
  inFeatures: number;
  hidden: number;
  bias: boolean;
  neuron: Omit<NeuronLayerSpec, 'kind' | 'name'>;
}

/**
 * A recurrent spiking layer over the *tokens* of the sentence (DESIGN §1.2, Su et al.), before the
 * pool. Its input current `in[t][b][p][h]` comes from the layer before it (a width-1 convolution:
 * the per-token `W·x_p`); U `[hidden][hidden]` (`${name}.recurrentWeight`) connects each position's
 * neurons to the next position's. Every position gets its own window of the run's T steps: its
 * neurons start from `v = vInitFraction·θ`, and at the first step of the window they receive, on
 * top of their input, `U·c_{p−1}`, where `c_{p−1}` is the signed spike count (positive minus
 * negative spikes) of position p − 1's neurons over their whole window. (The recurrent synapses
 * accumulate the previous window's spikes and deliver them when the next window opens, so a BIF
 * layer's counts equal the quantised RNN's integers exactly; every spike still costs its H
 * accumulates.) Positions are processed in order; positions past a sample's length are silent and
 * the recurrence never crosses samples. The output `[T][b][p][hidden]` is laid out like a neuron
 * layer's after a convolution: step t of the output is step t of each position's own window.
 * ANN twin: `y_p = act(in_p + U·y_{p−1})`, y_{−1} = 0, with `neuron.ann`.
 * `hidden` equals the channels of the layer before; a convolution before it has one width.
 */
export interface TokenRecurrentLayerSpec {
  kind: 'token-recurrent';
  name: string;
  hidden: number;
  neuron: Omit<NeuronLayerSpec, 'kind' | 'name'>;
}

export type LayerSpec = ConvLayerSpec | NeuronLayerSpec | PoolLayerSpec | LinearLayerSpec | RecurrentLayerSpec | TokenRecurrentLayerSpec;

/** Layers whose neurons spike (the readout, rasters and energy count their events). */
export function isSpikingKind(kind: string): boolean {
  return kind === 'neuron' || kind === 'recurrent' || kind === 'token-recurrent';
}

/** The prediction: spike counts of the last layer over T, summed over each class's population. */
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

/** Names of the weight tensors of a layer, as stored in the model's weight file. */
export function convWeightName(layer: ConvLayerSpec, branch: number): string {
  return `${layer.name}.w${layer.widths[branch]}`;
}
export function convBiasName(layer: ConvLayerSpec, branch: number): string {
  return `${layer.name}.b${layer.widths[branch]}`;
}

/** Channel count of a layer's output, given its input channel count. */
export function outputChannels(layer: LayerSpec, inChannels: number): number {
  switch (layer.kind) {
    case 'conv':
      return layer.widths.length * layer.filters;
    case 'linear':
      return layer.outFeatures;
    case 'recurrent':
    case 'token-recurrent':
      return layer.hidden;
    case 'neuron':
    case 'pool':
      return inChannels;
  }
}

/** Output positions of a multi-width convolution over `tokens` positions: those of its narrowest branch. */
export function convPositions(layer: ConvLayerSpec, tokens: number): number {
  return Math.max(0, tokens - Math.min(...layer.widths) + 1);
}

/** Shape of each layer's output for a batch, used by both backends and by energy accounting. */
export interface LayerShape {
  layer: LayerSpec;
  /** Positions per sample; 1 for flat layers. */
  positions: number;
  channels: number;
  positional: boolean;
}

/** Shapes of all layers for a padded token length; the encoder's own output comes first. */
export function layerShapes(spec: NetworkSpec, tokens: number): LayerShape[] {
  const shapes: LayerShape[] = [];
  let positions = tokens;
  let channels = spec.encoder.embeddingDim;
  let positional = true;
  for (const layer of spec.layers) {
    if (layer.kind === 'conv') positions = convPositions(layer, positions);
    if (layer.kind === 'pool') {
      positions = 1;
      positional = false;
    }
    channels = outputChannels(layer, channels);
    shapes.push({ layer, positions, channels, positional });
  }
  return shapes;
}
