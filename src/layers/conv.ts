/**
 * Parallel 1-D convolutions over token positions, one branch per width, no padding (the TextCNN
 * layer). Kernel `shaders/conv.wgsl`, twin `src/reference/conv.ts`. Branches write their channels
 * side by side (branch-major) over the positions of the narrowest branch; a position that a wider
 * branch (or a shorter sentence) does not reach is masked: its current is 0 and pooling skips it.
 */
import { array, boolean, fail, size } from '../model/json-checks';
import { MAX_CHANNELS, MAX_WIDTH } from '../model/limits';
import { UnsupportedNetworkError } from './errors';
import { concatFloat32, needChannels, needPositional, needUniform, positionalShape } from './shapes';
import type { LayerModule, LayerSpecBase, ValueShape } from './types';

export interface ConvLayerSpec extends LayerSpecBase {
  kind: 'conv';
  inChannels: number;
  widths: number[];
  /** Filters per branch; the output has `widths.length × filters` channels. */
  filters: number;
  /** Weights per branch, `[filters][width][inChannels]` row-major (see `convWeightName`). */
  bias: boolean;
}

/** Stored names of a branch's tensors: `<name>.w<width>` and `<name>.b<width>`. */
export function convWeightName(layer: ConvLayerSpec, branch: number): string {
  return `${layer.name}.w${layer.widths[branch]}`;
}
export function convBiasName(layer: ConvLayerSpec, branch: number): string {
  return `${layer.name}.b${layer.widths[branch]}`;
}

/** The branch tensors concatenated, `[branch][filters][width][inChannels]`: the layout the kernels read. */
export function joinConvWeights(layer: ConvLayerSpec, stored: (name: string) => Float32Array): Float32Array {
  return concatFloat32(layer.widths.map((_, branch) => stored(convWeightName(layer, branch))));
}

/** The inverse of `joinConvWeights`: each branch's `[filters][width][inChannels]` tensor by its stored name (copies). */
export function splitConvWeights(layer: ConvLayerSpec, joined: Float32Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let offset = 0;
  layer.widths.forEach((width, branch) => {
    const length = layer.filters * width * layer.inChannels;
    if (offset + length > joined.length) throw new RangeError(`${layer.name}: the joined weights hold ${joined.length} values, fewer than its branches need`);
    out.set(convWeightName(layer, branch), joined.slice(offset, offset + length));
    offset += length;
  });
  return out;
}

/** One branch of width 1: training runs it as a matrix product per token (the same function). */
function perToken(spec: ConvLayerSpec): boolean {
  return spec.widths.length === 1 && spec.widths[0] === 1;
}

/** ACs driven by one input event at `position` of a convolution over `inputPositions` positions. */
export function convFanOut(layer: ConvLayerSpec, inputPositions: number, position: number): number {
  let synapses = 0;
  for (const width of layer.widths) {
    const valid = Math.max(0, inputPositions - width + 1);
    const covering = Math.min(position, valid - 1) - Math.max(0, position - width + 1) + 1;
    synapses += layer.filters * Math.max(0, covering);
  }
  return synapses;
}

function output(spec: ConvLayerSpec, [input]: ValueShape[]): ValueShape {
  needPositional(input, 'a convolution');
  needUniform(input, 'a convolution');
  needChannels(spec.inChannels, input, 'inChannels');
  return positionalShape(spec.widths.flatMap((width) => new Array<number>(spec.filters).fill(input.maxSpan + width - 1)));
}

export const conv: LayerModule<ConvLayerSpec> = {
  kind: 'conv',
  arity: 'one',
  staticInput: 'propagate',
  parse(o, path, base, [input]) {
    const inChannels = size(o, 'inChannels', path, MAX_CHANNELS);
    const widths = array(o, 'widths', path, true);
    if (widths.length > MAX_WIDTH) fail(`${path}.widths`, `holds ${widths.length} widths; distinct widths from 1 to ${MAX_WIDTH} are at most ${MAX_WIDTH}`);
    const seen = new Set<unknown>();
    widths.forEach((width, index) => {
      if (typeof width !== 'number' || !Number.isInteger(width) || width < 1 || width > MAX_WIDTH) fail(`${path}.widths[${index}]`, `must be an integer in [1, ${MAX_WIDTH}]`, width);
      if (seen.has(width)) fail(`${path}.widths[${index}]`, 'repeats an earlier width; each branch needs its own width', width);
      seen.add(width);
    });
    const filters = size(o, 'filters', path, MAX_CHANNELS);
    if (filters * widths.length > MAX_CHANNELS) fail(`${path}.filters`, `${widths.length} widths × ${filters} filters = ${filters * widths.length} channels; the limit is ${MAX_CHANNELS}`);
    const spec: ConvLayerSpec = { kind: 'conv', ...base, inChannels, widths: widths as number[], filters, bias: boolean(o, 'bias', path) };
    needPositional(input, 'a convolution');
    needChannels(inChannels, input, 'inChannels');
    return spec;
  },
  output,
  tensors(spec) {
    return spec.widths.flatMap((width, branch) => [
      { name: convWeightName(spec, branch), shape: [spec.filters, width, spec.inChannels] },
      ...(spec.bias ? [{ name: convBiasName(spec, branch), shape: [spec.filters] }] : []),
    ]);
  },
  resident(spec, stored) {
    // One tensor for all branches, `[branch][filters][width][inChannels]`, as the kernel reads it.
    const weights: [string, Float32Array][] = [[`${spec.name}.weight`, joinConvWeights(spec, stored)]];
    if (spec.bias) weights.push([`${spec.name}.bias`, concatFloat32(spec.widths.map((_, b) => stored(convBiasName(spec, b))))]);
    return weights;
  },
  record(ctx, spec, [input], out) {
    ctx.ops.conv({
      shape: { rows: input.steps * ctx.batch, batch: ctx.batch, tokens: input.positions, inChannels: spec.inChannels, widths: spec.widths, filters: spec.filters },
      rowStart: input.steps === 1 ? 0 : ctx.tStart * ctx.batch,
      rowCount: input.steps === 1 ? ctx.batch : ctx.tCount * ctx.batch,
      input: input.tensor,
      weights: ctx.weight(`${spec.name}.weight`),
      bias: spec.bias ? ctx.weight(`${spec.name}.bias`) : null,
      lengths: ctx.validLengths(input.shape),
      output: out.tensor,
    });
  },
  energy(spec, ctx) {
    const [{ positions: inPositions, source }] = ctx.inputs;
    const valid = (width: number) => Math.max(0, inPositions - width + 1);
    const outputs = spec.widths.reduce((count, width) => count + valid(width) * spec.filters, 0);
    const macs = spec.widths.reduce((count, width) => count + valid(width) * width * spec.inChannels * spec.filters, 0);
    ctx.synapses(macs, (position) => convFanOut(spec, inPositions, position), null, spec.bias ? outputs : 0);
    return { kind: 'analog', constant: source.kind === 'analog' && source.constant };
  },
  view(spec) {
    return { spiking: false, label: `conv ${spec.widths.join('/')} × ${spec.filters}` };
  },
  train: {
    check(spec) {
      if (spec.bias) throw new UnsupportedNetworkError(`layer ${spec.name} has a bias; training convolutions with a bias is not supported yet`);
    },
    params(spec, stored) {
      const weight = { name: `${spec.name}.weight`, value: joinConvWeights(spec, stored), decay: true };
      if (!spec.bias) return [weight];
      return [weight, { name: `${spec.name}.bias`, value: concatFloat32(spec.widths.map((_, b) => stored(convBiasName(spec, b)))), decay: false }];
    },
    stored(spec, value) {
      const out = [...splitConvWeights(spec, value(`${spec.name}.weight`))];
      if (spec.bias) {
        const bias = value(`${spec.name}.bias`);
        spec.widths.forEach((_, b) => out.push([convBiasName(spec, b), bias.slice(b * spec.filters, (b + 1) * spec.filters)]));
      }
      return out;
    },
    forward(ctx, spec, [input], output) {
      if (perToken(spec)) {
        // Width 1: a matrix product per token (silent tokens are zero rows, so nothing to mask).
        const rows = ctx.rows * input.positions;
        ctx.ops.linear({ rows, rowStart: 0, rowCount: rows, inFeatures: spec.inChannels, outFeatures: spec.filters, input: input.tensor, weights: ctx.param(`${spec.name}.weight`).value, bias: null, output: output.tensor });
        return;
      }
      // One row per (step, sample), each with its own length.
      const shape = { rows: ctx.rows, batch: ctx.rows, tokens: input.positions, inChannels: spec.inChannels, widths: spec.widths, filters: spec.filters };
      ctx.ops.conv({ shape, rowStart: 0, rowCount: ctx.rows, input: input.tensor, weights: ctx.param(`${spec.name}.weight`).value, bias: null, lengths: ctx.rowLengths(input.shape), output: output.tensor });
    },
    backward(ctx, spec, [input], _output, gradOutput, [gradInput]) {
      const weight = ctx.param(`${spec.name}.weight`);
      if (perToken(spec)) {
        const shape = { rows: ctx.rows * input.positions, inFeatures: spec.inChannels, outFeatures: spec.filters };
        ctx.ops.linearWeightBackward({ shape, input: input.tensor, gradOutput, gradWeights: weight.grad, gradBias: null });
        if (gradInput) ctx.ops.linearInputBackward({ shape, weights: weight.value, gradOutput, gradInput });
        return;
      }
      const shape = { batch: ctx.rows, tokens: input.positions, inChannels: spec.inChannels, widths: spec.widths, filters: spec.filters };
      const lengths = ctx.rowLengths(input.shape);
      ctx.ops.convWeightBackward({ shape, input: input.tensor, gradOutput, lengths, gradWeights: weight.grad });
      if (gradInput) ctx.ops.convInputBackward({ shape, weights: weight.value, gradOutput, lengths, gradInput });
    },
  },
};
