/**
 * What a row of a spike raster is: the neuron's name, its token position and, for a convolution,
 * its branch, filter and the words its window reads; and the raster image itself, binned for the
 * plot. A train is `[numSteps][positions][channels]`, so row = flat neuron index
 * `position · channels + channel` (the index a membrane request takes) and rows come grouped by
 * position. Pure: the image is an RGBA byte array the component puts on its canvas.
 */
import type { BinPlan } from './raster-view';

/** How the raster reads a layer; `sequence`: neurons that run through the words (steps are the sentence's, `window` per word). */
export type RasterRole = 'input' | 'positional' | 'pooled' | 'output' | 'hidden' | 'sequence';

/** One layer's spikes for one text. */
export interface RasterTrain {
  layer: string;
  role: RasterRole;
  numSteps: number;
  positions: number;
  channels: number;
  /** `[numSteps][positions][channels]`; −1 for the negative spikes of bipolar neurons. */
  spikes: Float32Array;
  /** `sequence`: the steps of each word's window (the run's T); word k covers steps [k·window, (k + 1)·window). */
  window?: number;
}

/**
 * A sequence-neuron layer's train as the raster shows it: one row per neuron (a channel of the
 * layer), the steps of the whole sentence along time, word after word. `[T][positions][C]` becomes
 * `[positions·T][1][C]`, step p·T + t being step t of word p's window.
 */
export function sequenceTrain(train: Omit<RasterTrain, 'role'>): RasterTrain {
  const { numSteps: T, positions: P, channels: C } = train;
  const spikes = new Float32Array(train.spikes.length);
  for (let t = 0; t < T; t++) for (let p = 0; p < P; p++) spikes.set(train.spikes.subarray((t * P + p) * C, (t * P + p + 1) * C), (p * T + t) * C);
  return { layer: train.layer, role: 'sequence', numSteps: P * T, positions: 1, channels: C, spikes, window: T };
}

/** The word a step of a `sequence` train belongs to, and its step within the word's window. */
export function sequenceStep(train: RasterTrain, step: number, context: RasterContext): { word: number; token: string; step: number } | null {
  if (train.role !== 'sequence' || !train.window) return null;
  const word = Math.floor(step / train.window);
  return { word, token: positionToken(word, context), step: step % train.window };
}

/** What the raster needs to name neurons. */
export interface RasterContext {
  /** The text's tokens (padding positions have none). */
  tokens: readonly string[];
  /** Token positions after padding to the model's minimum length. */
  paddedLength: number;
  /** The convolution before the neurons, if any: one branch per width, `filters` channels each. */
  conv: { widths: readonly number[]; filters: number } | null;
  /** Per positional layer: the tokens each channel covers (a position is masked past the text). */
  layerSpans?: Readonly<Record<string, readonly number[]>>;
  classes: readonly string[];
  population: number;
}

/** A neuron as the tooltip and the membrane panel name it. */
export interface NeuronInfo {
  layer: string;
  neuron: number;
  position: number | null;
  channel: number;
  /** E.g. `filter 17 of the width-4 branch`, `component 42`, `output for “positive”`. */
  role: string;
  /** The token the neuron's position starts at (null for flat layers). */
  token: string | null;
  /** Tokens of the convolution window, or null. */
  window: string[] | null;
  /** The neuron never receives input for this text (its window runs past the padded text). */
  masked: boolean;
}

const PADDING = '∅';

/** Branch width and filter of a channel of a convolution, or null when the channels do not match it. */
function branchOf(channel: number, channels: number, context: RasterContext): { width: number; filter: number } | null {
  const conv = context.conv;
  if (!conv || conv.widths.length * conv.filters !== channels) return null;
  return { width: conv.widths[Math.floor(channel / conv.filters)], filter: channel % conv.filters };
}

/** The label of a row group: the token at that position (padding shown as ∅). */
export function positionToken(position: number, context: RasterContext): string {
  return context.tokens[position] ?? PADDING;
}

/** Names a neuron of a train (row index = flat neuron index). */
export function neuronInfo(train: RasterTrain, neuron: number, context: RasterContext): NeuronInfo {
  const position = Math.floor(neuron / train.channels);
  const channel = neuron % train.channels;
  const base = { layer: train.layer, neuron, channel, masked: false };
  const branch = branchOf(channel, train.channels, context);
  switch (train.role) {
    case 'input':
      return { ...base, position, role: `component ${channel + 1} of the embedding`, token: positionToken(position, context), window: null };
    case 'positional': {
      const spans = context.layerSpans?.[train.layer];
      const span = spans && spans.length === train.channels ? spans[channel] : null;
      // A layer whose channels cover other spans than the convolution's widths (stacked layers): its own window.
      if (span !== null && (!branch || branch.width !== span)) {
        const window = Array.from({ length: span }, (_, i) => positionToken(position + i, context));
        return { ...base, position, role: `channel ${channel + 1} (covers ${span} tokens)`, token: positionToken(position, context), window, masked: position + span > context.paddedLength };
      }
      if (!branch) return { ...base, position, role: `channel ${channel + 1}`, token: positionToken(position, context), window: null };
      const window = Array.from({ length: branch.width }, (_, i) => positionToken(position + i, context));
      return {
        ...base,
        position,
        role: `filter ${branch.filter + 1} of the width-${branch.width} branch`,
        token: positionToken(position, context),
        window,
        masked: position + branch.width > context.paddedLength,
      };
    }
    case 'pooled':
      return { ...base, position: null, role: branch ? `filter ${branch.filter + 1} of the width-${branch.width} branch, pooled over positions` : `unit ${channel + 1}`, token: null, window: null };
    case 'output': {
      const population = Math.max(1, context.population);
      const name = context.classes[Math.floor(channel / population)] ?? `class ${Math.floor(channel / population)}`;
      return { ...base, position: null, role: `output for “${name}”${population > 1 ? ` (${(channel % population) + 1} of ${population})` : ''}`, token: null, window: null };
    }
    case 'hidden':
      return { ...base, position: null, role: `unit ${channel + 1}`, token: null, window: null };
    case 'sequence':
      return { ...base, position: null, role: 'its membrane carried from word to word', token: null, window: null };
  }
}

/** Spike events of one neuron over all steps (|s| summed, so bipolar spikes count too). */
export function neuronSpikeCount(train: RasterTrain, neuron: number): number {
  const stride = train.positions * train.channels;
  let count = 0;
  for (let t = 0; t < train.numSteps; t++) count += Math.abs(train.spikes[t * stride + neuron]);
  return count;
}

/**
 * The cell to name at a point of the raster. A pixel may stand for many neurons and steps (a bin),
 * so the cell under the pointer is often a silent neuron beside the one whose spike was drawn: this
 * takes the nearest cell (in pixels) within `radius` pixels that holds a spike, and the cell under
 * the pointer only where none does. `rowsPerPixel` and `stepsPerPixel` are the view's scale.
 */
export function snapToSpike(train: RasterTrain, cell: { row: number; step: number }, rowsPerPixel: number, stepsPerPixel: number, radius = 3): { row: number; step: number } {
  const stride = train.positions * train.channels;
  const rowReach = Math.ceil(radius * Math.max(rowsPerPixel, 1e-9));
  const stepReach = Math.ceil(radius * Math.max(stepsPerPixel, 1e-9));
  let best: { row: number; step: number } | null = null;
  let bestDistance = Infinity;
  for (let step = Math.max(0, cell.step - stepReach); step <= Math.min(train.numSteps - 1, cell.step + stepReach); step++) {
    const dx = (step - cell.step) / Math.max(stepsPerPixel, 1);
    for (let row = Math.max(0, cell.row - rowReach); row <= Math.min(stride - 1, cell.row + rowReach); row++) {
      if (train.spikes[step * stride + row] === 0) continue;
      const dy = (row - cell.row) / Math.max(rowsPerPixel, 1);
      const distance = dx * dx + dy * dy;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = { row, step };
      }
    }
  }
  return best && bestDistance <= radius * radius ? best : cell;
}

/** The neuron's spike at each step (−1, 0 or 1). */
export function neuronSpikes(train: RasterTrain, neuron: number): Float32Array {
  const stride = train.positions * train.channels;
  return Float32Array.from({ length: train.numSteps }, (_, t) => train.spikes[t * stride + neuron]);
}

/** Whether a row never receives input (see `NeuronInfo.masked`), cheaply, for drawing. */
export function maskedRows(train: RasterTrain, context: RasterContext): ((row: number) => boolean) | null {
  const spans = context.layerSpans?.[train.layer];
  if (train.role === 'positional' && spans && spans.length === train.channels) {
    return (row) => Math.floor(row / train.channels) + spans[row % train.channels] > context.paddedLength;
  }
  if (train.role !== 'positional' || !context.conv || context.conv.widths.length * context.conv.filters !== train.channels) return null;
  const { widths, filters } = context.conv;
  return (row) => {
    const position = Math.floor(row / train.channels);
    return position + widths[Math.floor((row % train.channels) / filters)] > context.paddedLength;
  };
}

/** Colours of the raster image, RGB. */
export const RASTER_COLOURS = {
  spike: [32, 56, 140] as const,
  negativeSpike: [201, 42, 42] as const,
  masked: [236, 238, 242] as const,
};

/** An RGBA image of `width` × `height` bins, one bin per pixel. */
export interface RasterImage {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

/**
 * The binned raster for a plan: each bin's opacity grows linearly with the share of its cells
 * (neuron × step) that spiked, from a floor of 25 % so that one spike among many cells stays visible. Bins whose
 * neurons are all masked are drawn in the masked colour; bins without spikes stay transparent.
 */
export function rasterImage(train: RasterTrain, plan: BinPlan, masked: ((row: number) => boolean) | null): RasterImage {
  const width = Math.max(0, Math.ceil((plan.stepEnd - plan.stepStart) / plan.stepsPerBin));
  const height = Math.max(0, Math.ceil((plan.rowEnd - plan.rowStart) / plan.rowsPerBin));
  const positive = new Float32Array(width * height);
  const negative = new Float32Array(width * height);
  const live = new Float32Array(height);
  const stride = train.positions * train.channels;
  for (let row = plan.rowStart; row < plan.rowEnd; row++) {
    const y = Math.floor((row - plan.rowStart) / plan.rowsPerBin);
    if (masked?.(row)) continue;
    live[y]++;
    for (let t = plan.stepStart; t < plan.stepEnd; t++) {
      const value = train.spikes[t * stride + row];
      if (value === 0) continue;
      const bin = y * width + Math.floor((t - plan.stepStart) / plan.stepsPerBin);
      if (value > 0) positive[bin] += value;
      else negative[bin] -= value;
    }
  }
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bin = y * width + x;
      const steps = Math.min(plan.stepsPerBin, plan.stepEnd - plan.stepStart - x * plan.stepsPerBin);
      const cells = live[y] * steps;
      const total = positive[bin] + negative[bin];
      let colour: readonly number[] | null = null;
      let alpha = 0;
      if (cells === 0) [colour, alpha] = [RASTER_COLOURS.masked, 255];
      else if (total > 0) {
        colour = negative[bin] > positive[bin] ? RASTER_COLOURS.negativeSpike : RASTER_COLOURS.spike;
        alpha = Math.round(255 * Math.min(1, 0.25 + 0.75 * (total / cells)));
      }
      if (colour) rgba.set([colour[0], colour[1], colour[2], alpha], bin * 4);
    }
  }
  return { width, height, rgba };
}
