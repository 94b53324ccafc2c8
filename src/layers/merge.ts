/**
 * Merges of several layers' outputs (`shaders/place.wgsl`, twin `src/reference/place.ts`):
 * `concat` puts its inputs' channels side by side, in the order of `inputs` (e.g. parallel
 * convolution branches of different widths: a narrower branch's extra positions stay, the others'
 * are masked); `add` sums inputs of the same shape element by element (e.g. a residual path).
 */
import { fail } from '../model/json-checks';
import { MAX_CHANNELS } from '../model/limits';
import { flatShape, positionalShape } from './shapes';
import { LayerShapeError, type EnergySource, type InputValue, type LayerModule, type LayerSpecBase, type OutputValue, type RecordContext, type ValueShape } from './types';

export interface ConcatLayerSpec extends LayerSpecBase {
  kind: 'concat';
}

export interface AddLayerSpec extends LayerSpecBase {
  kind: 'add';
}

function sameStage(inputs: ValueShape[], what: string): boolean {
  const positional = inputs[0].positional;
  if (inputs.some((input) => input.positional !== positional)) throw new LayerShapeError(`${what} needs inputs all before the pool or all after it`, 'inputs');
  return positional;
}

/** Copies each input into its place of the output (channel offset; zeros past its positions), or sums them. */
function place<Tensor, N>(ctx: RecordContext<Tensor, N>, inputs: InputValue<Tensor>[], out: OutputValue<Tensor>, sum: boolean): void {
  const channelsOut = sum ? inputs[0].shape.channels : inputs.reduce((total, input) => total + input.shape.channels, 0);
  let offset = 0;
  inputs.forEach((input, i) => {
    const steps = input.steps === 1 ? 1 : ctx.tCount;
    ctx.ops.place({
      groups: steps * ctx.batch,
      groupStart: input.steps === 1 ? 0 : ctx.tStart * ctx.batch,
      positionsIn: input.positions,
      channelsIn: input.shape.channels,
      positionsOut: out.positions,
      channelsOut,
      channelOffset: offset,
      accumulate: sum && i > 0,
      input: input.tensor,
      output: out.tensor,
    });
    if (!sum) offset += input.shape.channels;
  });
}

/** Events of merged spike sources, position by position; analog if any input is analog. */
function mergeSources(inputs: { source: EnergySource; positions: number }[], positions: number): EnergySource {
  if (inputs.some(({ source }) => source.kind === 'analog')) {
    return { kind: 'analog', constant: inputs.every(({ source }) => source.kind === 'analog' && source.constant) };
  }
  let total = 0;
  let perPosition: Float32Array | null = new Float32Array(positions);
  for (const { source } of inputs) {
    if (source.kind !== 'spikes') continue;
    total += source.total;
    if (source.perPosition === null || perPosition === null) perPosition = null;
    else source.perPosition.forEach((events, p) => (perPosition![p] += events));
  }
  return { kind: 'spikes', perPosition, total };
}

export const concat: LayerModule<ConcatLayerSpec> = {
  kind: 'concat',
  arity: 'many',
  staticInput: 'propagate',
  parse(_o, path, base, inputs) {
    const channels = inputs.reduce((total, input) => total + input.channels, 0);
    if (channels > MAX_CHANNELS) fail(`${path}.inputs`, `its inputs hold ${channels} channels together; the limit is ${MAX_CHANNELS}`);
    return { kind: 'concat', ...base };
  },
  output(_spec, inputs) {
    return sameStage(inputs, 'a concatenation') ? positionalShape(inputs.flatMap((input) => input.spans)) : flatShape(inputs.reduce((total, input) => total + input.channels, 0));
  },
  tensors() {
    return [];
  },
  record(ctx, _spec, inputs, out) {
    place(ctx, inputs, out, false);
  },
  energy(_spec, ctx) {
    return mergeSources(ctx.inputs, ctx.positions);
  },
  view() {
    return { spiking: false, label: 'concatenation' };
  },
};

export const add: LayerModule<AddLayerSpec> = {
  kind: 'add',
  arity: 'many',
  staticInput: 'propagate',
  parse(_o, _path, base) {
    return { kind: 'add', ...base };
  },
  output(_spec, inputs) {
    sameStage(inputs, 'a sum');
    const [first] = inputs;
    if (inputs.some((input) => input.channels !== first.channels || input.spans.some((span, c) => span !== first.spans[c]))) {
      throw new LayerShapeError('a sum needs inputs of the same shape (channels and the tokens each channel covers)', 'inputs');
    }
    return first;
  },
  tensors() {
    return [];
  },
  record(ctx, _spec, inputs, out) {
    place(ctx, inputs, out, true);
  },
  energy(_spec, ctx) {
    const elements = ctx.positions * ctx.shape.channels * (ctx.inputs.length - 1);
    const source = mergeSources(ctx.inputs, ctx.positions);
    ctx.row.annAcs = elements;
    // Spikes are routed on to the next layer's synapses (counted there); currents are added.
    if (source.kind === 'analog') ctx.row.snnAcs = source.constant ? elements : elements * ctx.numSteps;
    return source;
  },
  view() {
    return { spiking: false, label: 'sum' };
  },
};
