/**
 * A layer of spiking neurons, one per element of its input (IF, LIF or BIF; architecture §3).
 * Kernel `shaders/neuron.wgsl` (all T steps in one dispatch), twin `src/reference/neuron.ts`.
 * In the ANN twin it is its `ann` activation (`shaders/activation.wgsl`, `src/reference/activation.ts`).
 */
import { UnsupportedNetworkError } from './graph';
import { array, fail, integer, number, object, oneOf, positive } from '../model/json-checks';
import type { AnnActivation, NeuronSpec } from '../model/spec';
import type { Json, LayerModule, LayerSpecBase } from './types';

export interface NeuronLayerSpec extends LayerSpecBase, NeuronSpec {
  kind: 'neuron';
}

function parseAnn(value: unknown, path: string): AnnActivation {
  const o = object(value, path);
  const kind = oneOf(o, 'kind', path, ['relu', 'identity', 'quant'] as const);
  if (kind !== 'quant') return { kind };
  return { kind, step: number(o, 'step', path, positive, 'must be a positive number'), levels: integer(o, 'levels', path, 2) };
}

/** The neuron fields shared by every spiking layer; `channels` bounds the threshold count. */
export function parseNeuron(o: Json, path: string, channels: number): NeuronSpec {
  const thresholds = array(o, 'vThreshold', path, true);
  for (const threshold of thresholds) {
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0) fail(`${path}.vThreshold`, 'must be positive numbers', threshold);
  }
  if (thresholds.length !== 1 && thresholds.length !== channels) {
    fail(`${path}.vThreshold`, `must hold 1 threshold or one per channel (${channels}), got ${thresholds.length} values`);
  }
  return {
    model: oneOf(o, 'model', path, ['IF', 'LIF', 'BIF'] as const),
    reset: oneOf(o, 'reset', path, ['soft', 'hard', 'none'] as const),
    vThreshold: thresholds as number[],
    beta: number(o, 'beta', path, (x) => x > 0 && x <= 1, 'must be in (0, 1]'),
    vReset: number(o, 'vReset', path),
    vInitFraction: number(o, 'vInitFraction', path),
    levels: integer(o, 'levels', path, 2),
    ann: parseAnn(o.ann, `${path}.ann`),
  };
}

/** Refuses neurons that BPTT does not train: BIF (converted losslessly, nothing to learn) and the hard reset. */
export function checkTrainableNeuron(name: string, neuron: NeuronSpec): void {
  if (neuron.model === 'BIF') {
    throw new UnsupportedNetworkError(
      `layer ${name} is BIF (the lossless conversion of Su et al.): its spike counts already equal the quantised ANN's, so there is nothing to fine-tune; finetune takes IF models made by 'train --method lv-if'`,
    );
  }
  if (neuron.reset === 'hard') throw new UnsupportedNetworkError(`layer ${name} has a hard reset; training backpropagates through soft or no reset only`);
}

export const neuron: LayerModule<NeuronLayerSpec> = {
  kind: 'neuron',
  arity: 'one',
  staticInput: 'broadcast',
  parse(o, path, base, [input]) {
    return { kind: 'neuron', ...base, ...parseNeuron(o, path, input.channels) };
  },
  output(_spec, [input]) {
    return input;
  },
  tensors() {
    return [];
  },
  neuron(spec) {
    return spec;
  },
  record(ctx, spec, [input], out) {
    const channels = input.shape.channels;
    const neurons = ctx.batch * input.positions * channels;
    if (ctx.ann) {
      ctx.ops.activation({ count: out.steps * neurons, activation: spec.ann, input: input.tensor, output: out.tensor });
      return;
    }
    const params = ctx.neuronParams(spec, channels);
    ctx.ops.neuron({
      params,
      neurons,
      tStart: ctx.tStart,
      tCount: ctx.tCount,
      x: input.tensor,
      spikes: out.tensor,
      layer: ctx.neuronState(spec.name, params, neurons),
      membrane: out.membrane,
      xBroadcast: input.steps < ctx.numSteps,
    });
  },
  energy(_spec, ctx) {
    return ctx.spiking(ctx.positions * ctx.shape.channels);
  },
  view(spec) {
    return { spiking: true, label: `${spec.model} neurons` };
  },
  train: {
    check(spec) {
      checkTrainableNeuron(spec.name, spec);
    },
    params() {
      return [];
    },
    forward(ctx, spec, [input], output) {
      const channels = input.shape.channels;
      ctx.ops.neuronForward({
        params: ctx.neuronParams(spec, channels),
        neurons: ctx.batch * input.positions * channels,
        numSteps: ctx.numSteps,
        input: input.tensor,
        spikes: output.tensor,
        membrane: ctx.work(`${spec.name}.membrane`, output.capacity),
      });
    },
    backward(ctx, spec, [input], output, gradOutput, [gradInput]) {
      if (!gradInput) return;
      const channels = input.shape.channels;
      ctx.ops.neuronBackward({
        params: ctx.neuronParams(spec, channels),
        neurons: ctx.batch * input.positions * channels,
        numSteps: ctx.numSteps,
        surrogate: ctx.surrogate,
        detachReset: ctx.detachReset,
        membrane: ctx.work(`${spec.name}.membrane`, output.capacity),
        gradSpikes: gradOutput,
        gradInput,
      });
    },
  },
};
