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
import type { LayerModule, LayerSpecBase } from './types';

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
};
