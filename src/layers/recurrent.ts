/**
 * A recurrent spiking layer over the time steps, after the pool: `x_t = W·in_t + U·s_{t−1} (+ b)`,
 * then the neuron step (`shaders/recurrent.wgsl`, twin `src/reference/recurrent.ts`). W
 * `[hidden][in]` (`.inputWeight`), U `[hidden][hidden]` (`.recurrentWeight`). In the ANN twin:
 * `h_t = act(W·in_t + U·h_{t−1} + b)` over the same steps.
 */
import { boolean, object, size } from '../model/json-checks';
import { MAX_CHANNELS } from '../model/limits';
import type { NeuronSpec } from '../model/spec';
import { parseNeuron } from './neuron';
import { flatShape, needChannels } from './shapes';
import { LayerShapeError, type LayerModule, type LayerSpecBase } from './types';

export interface RecurrentLayerSpec extends LayerSpecBase {
  kind: 'recurrent';
  inFeatures: number;
  hidden: number;
  bias: boolean;
  neuron: NeuronSpec;
}

export const recurrent: LayerModule<RecurrentLayerSpec> = {
  kind: 'recurrent',
  arity: 'one',
  parse(o, path, base, [input]) {
    const inFeatures = needChannels(size(o, 'inFeatures', path, MAX_CHANNELS), input, 'inFeatures');
    const hidden = size(o, 'hidden', path, MAX_CHANNELS);
    return { kind: 'recurrent', ...base, inFeatures, hidden, bias: boolean(o, 'bias', path), neuron: parseNeuron(object(o.neuron, `${path}.neuron`), `${path}.neuron`, hidden) };
  },
  output(spec, [input]) {
    if (input.positional) throw new LayerShapeError('a recurrent layer over time steps must come after the pool layer (use token-recurrent before it)', 'kind');
    needChannels(spec.inFeatures, input, 'inFeatures');
    return flatShape(spec.hidden);
  },
  tensors(spec) {
    return [
      { name: `${spec.name}.inputWeight`, shape: [spec.hidden, spec.inFeatures] },
      { name: `${spec.name}.recurrentWeight`, shape: [spec.hidden, spec.hidden] },
      ...(spec.bias ? [{ name: `${spec.name}.bias`, shape: [spec.hidden] }] : []),
    ];
  },
  neuron(spec) {
    return spec.neuron;
  },
  record(ctx, spec, [input], out) {
    const rows = ctx.numSteps * ctx.batch;
    const inputCurrent = ctx.runTensor(`${spec.name}.inputCurrent`, rows * spec.hidden);
    ctx.ops.linear({
      rows,
      rowStart: ctx.tStart * ctx.batch,
      rowCount: ctx.tCount * ctx.batch,
      inFeatures: spec.inFeatures,
      outFeatures: spec.hidden,
      input: input.tensor,
      weights: ctx.weight(`${spec.name}.inputWeight`),
      bias: spec.bias ? ctx.weight(`${spec.name}.bias`) : null,
      output: inputCurrent,
    });
    const params = ctx.neuronParams(spec.neuron, spec.hidden);
    ctx.ops.recurrent({
      numSteps: ctx.numSteps,
      tStart: ctx.tStart,
      tCount: ctx.tCount,
      batch: ctx.batch,
      hidden: spec.hidden,
      params,
      inputCurrent,
      recurrentWeights: ctx.weight(`${spec.name}.recurrentWeight`),
      spikes: out.tensor,
      layer: ctx.neuronState(spec.name, params, ctx.batch * spec.hidden),
      membrane: out.membrane,
      activation: ctx.ann ? spec.neuron.ann : undefined,
    });
  },
  energy(spec, ctx) {
    const [{ positions }] = ctx.inputs;
    ctx.synapses(positions * spec.inFeatures * spec.hidden, () => 0, spec.hidden, spec.bias ? positions * spec.hidden : 0);
    ctx.row.annMacs += positions * spec.hidden * spec.hidden;
    const source = ctx.spiking(ctx.positions * spec.hidden);
    ctx.row.snnAcs += ctx.row.events * spec.hidden;
    return source;
  },
  view(spec) {
    return { spiking: true, label: `recurrent ${spec.neuron.model}, ${spec.hidden} units` };
  },
};
