/** Fully connected, `y = W x (+ b)`, W `[outFeatures][inFeatures]` (`shaders/linear.wgsl`, twin `src/reference/linear.ts`). */
import { boolean, size } from '../model/json-checks';
import { MAX_CHANNELS } from '../model/limits';
import { flatShape, needChannels } from './shapes';
import { LayerShapeError, type LayerModule, type LayerSpecBase, type ValueShape } from './types';

export interface LinearLayerSpec extends LayerSpecBase {
  kind: 'linear';
  inFeatures: number;
  outFeatures: number;
  bias: boolean;
}

function needFlat(input: ValueShape): void {
  if (input.positional) throw new LayerShapeError('a linear layer must come after the pool layer (it reads one vector per sample)', 'kind');
}

export const linear: LayerModule<LinearLayerSpec> = {
  kind: 'linear',
  arity: 'one',
  parse(o, path, base, [input]) {
    const spec: LinearLayerSpec = { kind: 'linear', ...base, inFeatures: size(o, 'inFeatures', path, MAX_CHANNELS), outFeatures: size(o, 'outFeatures', path, MAX_CHANNELS), bias: boolean(o, 'bias', path) };
    needChannels(spec.inFeatures, input, 'inFeatures');
    return spec;
  },
  output(spec, [input]) {
    needFlat(input);
    needChannels(spec.inFeatures, input, 'inFeatures');
    return flatShape(spec.outFeatures);
  },
  tensors(spec) {
    return [{ name: `${spec.name}.weight`, shape: [spec.outFeatures, spec.inFeatures] }, ...(spec.bias ? [{ name: `${spec.name}.bias`, shape: [spec.outFeatures] }] : [])];
  },
  record(ctx, spec, [input], out) {
    ctx.ops.linear({
      rows: ctx.numSteps * ctx.batch,
      rowStart: ctx.tStart * ctx.batch,
      rowCount: ctx.tCount * ctx.batch,
      inFeatures: spec.inFeatures,
      outFeatures: spec.outFeatures,
      input: input.tensor,
      weights: ctx.weight(`${spec.name}.weight`),
      bias: spec.bias ? ctx.weight(`${spec.name}.bias`) : null,
      output: out.tensor,
    });
  },
  energy(spec, ctx) {
    const [{ positions, source }] = ctx.inputs;
    ctx.synapses(positions * spec.inFeatures * spec.outFeatures, () => 0, spec.outFeatures, spec.bias ? positions * spec.outFeatures : 0);
    return { kind: 'analog', constant: source.kind === 'analog' && source.constant };
  },
  view(spec) {
    return { spiking: false, label: `linear ${spec.inFeatures} → ${spec.outFeatures}` };
  },
  train: {
    params(spec, stored) {
      const weight = { name: `${spec.name}.weight`, value: stored(`${spec.name}.weight`).slice(), decay: true };
      return spec.bias ? [weight, { name: `${spec.name}.bias`, value: stored(`${spec.name}.bias`).slice(), decay: false }] : [weight];
    },
    forward(ctx, spec, [input], output) {
      const bias = spec.bias ? ctx.param(`${spec.name}.bias`).value : null;
      const { inFeatures, outFeatures } = spec;
      ctx.ops.linear({ rows: ctx.rows, rowStart: 0, rowCount: ctx.rows, inFeatures, outFeatures, input: input.tensor, weights: ctx.param(`${spec.name}.weight`).value, bias, output: output.tensor });
    },
    backward(ctx, spec, [input], _output, gradOutput, [gradInput]) {
      const shape = { rows: ctx.rows, inFeatures: spec.inFeatures, outFeatures: spec.outFeatures };
      const weight = ctx.param(`${spec.name}.weight`);
      const gradBias = spec.bias ? ctx.param(`${spec.name}.bias`).grad : null;
      ctx.ops.linearWeightBackward({ shape, input: input.tensor, gradOutput, gradWeights: weight.grad, gradBias });
      if (gradInput) ctx.ops.linearInputBackward({ shape, weights: weight.value, gradOutput, gradInput });
    },
  },
};
