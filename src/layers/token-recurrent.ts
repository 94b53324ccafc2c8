/**
 * A recurrent spiking layer over the *tokens* of the sentence (architecture §2.4), before the pool
 * (`shaders/token_recurrent.wgsl`, twin `src/reference/token-recurrent.ts`). Its input current
 * `in[t][b][p][h]` comes from the layer before it (a width-1 convolution: the per-token `W·x_p`);
 * U `[hidden][hidden]` (`.recurrentWeight`) connects each position's neurons to the next
 * position's. Every position gets its own window of the run's T steps: its neurons start from
 * `v = vInitFraction·θ`, and at the first step of the window they receive, on top of their input,
 * `U·c_{p−1}`, the signed spike count of position p − 1's neurons over their whole window. A BIF
 * layer's counts therefore equal the quantised RNN's integers exactly; every spike still costs its
 * H accumulates. Positions past a sample's length are silent and the recurrence never crosses
 * samples. The output `[T][b][p][hidden]` is laid out like a neuron layer's: step t of the output
 * is step t of each position's own window. ANN twin: `y_p = act(in_p + U·y_{p−1})`, y_{−1} = 0.
 * It runs chunk by chunk of positions, carrying the last position's counts to the next chunk.
 */
import { object, size } from '../model/json-checks';
import { MAX_CHANNELS } from '../model/limits';
import type { NeuronSpec } from '../model/spec';
import { parseNeuron } from './neuron';
import { needChannels, needPositional, needUniform } from './shapes';
import type { TrainActivation } from '../reference/activation-train';
import { UnsupportedNetworkError } from './errors';
import type { LayerModule, LayerSpecBase, TrainContext } from './types';

export interface TokenRecurrentLayerSpec extends LayerSpecBase {
  kind: 'token-recurrent';
  hidden: number;
  neuron: NeuronSpec;
}

export const tokenRecurrent: LayerModule<TokenRecurrentLayerSpec> = {
  kind: 'token-recurrent',
  arity: 'one',
  sequential: true,
  staticInput: 'broadcast',
  parse(o, path, base, [input]) {
    needPositional(input, 'a token-recurrent layer');
    const hidden = needChannels(size(o, 'hidden', path, MAX_CHANNELS), input, 'hidden');
    return { kind: 'token-recurrent', ...base, hidden, neuron: parseNeuron(object(o.neuron, `${path}.neuron`), `${path}.neuron`, hidden) };
  },
  output(spec, [input]) {
    needPositional(input, 'a token-recurrent layer');
    needUniform(input, 'a token-recurrent layer');
    needChannels(spec.hidden, input, 'hidden');
    return input;
  },
  tensors(spec) {
    return [{ name: `${spec.name}.recurrentWeight`, shape: [spec.hidden, spec.hidden] }];
  },
  neuron(spec) {
    return spec.neuron;
  },
  record(ctx, spec, [input], out) {
    const C = spec.hidden;
    const params = ctx.neuronParams(spec.neuron, C);
    ctx.ops.tokenRecurrent({
      numSteps: ctx.numSteps,
      batch: ctx.batch,
      positions: input.positions,
      hidden: C,
      params,
      x: input.tensor,
      xBroadcast: input.steps < ctx.numSteps,
      recurrentWeights: ctx.weight(`${spec.name}.recurrentWeight`),
      validPositions: ctx.sequenceValid(input.shape),
      carry: ctx.runTensor(`${spec.name}.carry`, ctx.batch * C),
      continues: ctx.chunkIndex > 0,
      spikes: out.tensor,
      layer: ctx.neuronState(spec.name, params, ctx.batch * input.positions * C),
      membrane: out.membrane,
      activation: ctx.ann ? spec.neuron.ann : undefined,
    });
  },
  energy(spec, ctx) {
    // The input current is the layer before's; U carries each position's counts to the next.
    const hidden = spec.hidden;
    ctx.row.annMacs += Math.max(0, ctx.positions - 1) * hidden * hidden;
    const source = ctx.spiking(ctx.positions * hidden);
    const measured = ctx.measured();
    const lastEvents = typeof measured === 'number' || measured === undefined || ctx.positions === 0 ? 0 : measured[ctx.positions - 1];
    ctx.row.snnAcs += (ctx.row.events - lastEvents) * hidden;
    return source;
  },
  view(spec) {
    return { spiking: true, label: `token-recurrent ${spec.neuron.model}, ${spec.hidden} units` };
  },
  train: {
    check(spec, mode) {
      if (mode === 'snn') throw new UnsupportedNetworkError(`layer ${spec.name} (token-recurrent) trains as its ANN twin (the quantised RNN) and is converted losslessly; it has no BPTT through spikes`);
      if (spec.hidden % 4 !== 0) throw new UnsupportedNetworkError(`layer ${spec.name} has ${spec.hidden} units; training needs a multiple of 4`);
    },
    params(spec, stored) {
      const H = spec.hidden;
      const ann = spec.neuron.ann;
      return [
        // U kept transposed (`[j][h]` = U[h][j]) for the kernels' vectors.
        { name: `${spec.name}.transposedRecurrentWeight`, value: transpose(stored(`${spec.name}.recurrentWeight`), H), decay: true },
        ...(ann.kind === 'quant' ? [{ name: `${spec.name}.step`, value: Float32Array.of(ann.step), decay: false, low: 1e-4 }] : []),
      ];
    },
    stored(spec, value) {
      return [[`${spec.name}.recurrentWeight`, transpose(value(`${spec.name}.transposedRecurrentWeight`)!, spec.hidden)]];
    },
    trainedSpec(spec, value) {
      const step = value(`${spec.name}.step`);
      return step && spec.neuron.ann.kind === 'quant' ? { ...spec, neuron: { ...spec.neuron, ann: { ...spec.neuron.ann, step: step[0] } } } : spec;
    },
    forward(ctx, spec, [input], output) {
      ctx.ops.tokenRecurrentForward({
        shape: { batch: ctx.batch, positions: input.positions, hidden: spec.hidden },
        activation: trainActivation(spec),
        step: stepOf(ctx, spec),
        input: input.tensor,
        transposedRecurrentWeights: ctx.param(`${spec.name}.transposedRecurrentWeight`).value,
        lengths: ctx.rowLengths(input.shape),
        preActivation: ctx.work(`${spec.name}.preActivation`, output.capacity),
        output: output.tensor,
        previous: ctx.work(`${spec.name}.previous`, output.capacity),
      });
    },
    backward(ctx, spec, [input], output, gradOutput, [gradInput]) {
      const H = spec.hidden;
      const activation = trainActivation(spec);
      const levels = activation.kind === 'quant' ? activation.levels : 2;
      const recurrent = ctx.param(`${spec.name}.transposedRecurrentWeight`);
      const gradU = gradInput ?? ctx.work(`${spec.name}.gradPreActivation`, output.capacity);
      ctx.ops.tokenRecurrentBackward({
        shape: { batch: ctx.batch, positions: input.positions, hidden: H },
        activation,
        step: stepOf(ctx, spec),
        preActivation: ctx.work(`${spec.name}.preActivation`, output.capacity),
        transposedRecurrentWeights: recurrent.value,
        lengths: ctx.rowLengths(input.shape),
        gradOutput,
        gradInput: gradU,
        gradStep: activation.kind === 'quant' ? ctx.param(`${spec.name}.step`).grad : null,
        stepGradScale: 1 / Math.sqrt(input.positions * H * (levels - 1)),
      });
      // dUᵀ[j][h] = Σ_rows y_{p−1}[j] · du_p[h]
      const rows = ctx.batch * input.positions;
      ctx.ops.linearWeightBackward({ shape: { rows, inFeatures: H, outFeatures: H }, input: gradU, gradOutput: ctx.work(`${spec.name}.previous`, output.capacity), gradWeights: recurrent.grad, gradBias: null });
    },
  },
};

/** The ANN twin's activation as training applies it (the quantiser's step is a tensor). */
function trainActivation(spec: TokenRecurrentLayerSpec): TrainActivation {
  const ann = spec.neuron.ann;
  return ann.kind === 'quant' ? { kind: 'quant', levels: ann.levels } : ann;
}

function stepOf<Tensor>(ctx: TrainContext<Tensor>, spec: TokenRecurrentLayerSpec): Tensor {
  return spec.neuron.ann.kind === 'quant' ? ctx.param(`${spec.name}.step`).value : ctx.work('unitStep', 1);
}

/** The transpose of a square `[size][size]` matrix. */
function transpose(matrix: Float32Array, size: number): Float32Array {
  const out = new Float32Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) out[j * size + i] = matrix[i * size + j];
  return out;
}
