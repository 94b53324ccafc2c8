/**
 * Layers of spiking neurons (IF, LIF, PLIF or BIF; architecture §3), with the kernel
 * `shaders/neuron.wgsl` (all T steps in one dispatch) and its twin `src/reference/neuron.ts`:
 *
 * - `neuron`: one neuron per element of its input, every position its own neuron.
 * - `sequence-neuron` (positional input; architecture §2.5): one neuron per channel of each sample,
 *   which runs through the positions of the sentence in order, all T steps of each, its membrane
 *   carried from word to word (LITE-SNN). Long texts run chunk by chunk, the state carried across.
 *
 * In the ANN twin each is its `ann` activation (`shaders/activation.wgsl`, `src/reference/activation.ts`).
 */
import { UnsupportedNetworkError } from './errors';
import { array, fail, integer, number, object, oneOf, positive } from '../model/json-checks';
import { holdsInFloat32, MAX_LEVELS } from '../model/limits';
import type { AnnActivation, NeuronSpec } from '../model/spec';
import type { TrainActivation } from '../reference/activation-train';
import { NEURON_MODEL_NAMES, NEURON_MODELS } from '../neurons/models';
import { needPositional, needUniform, validNeurons } from './shapes';
import type { SequenceArgs } from '../engine/ops';
import type { Json, LayerModule, LayerSpecBase, TrainContext, ValueShape } from './types';

export interface NeuronLayerSpec extends LayerSpecBase, NeuronSpec {
  kind: 'neuron';
}

export interface SequenceNeuronLayerSpec extends LayerSpecBase, NeuronSpec {
  kind: 'sequence-neuron';
}

type AnyNeuronSpec = NeuronLayerSpec | SequenceNeuronLayerSpec;

function parseAnn(value: unknown, path: string): AnnActivation {
  const o = object(value, path);
  const kind = oneOf(o, 'kind', path, ['relu', 'identity', 'quant'] as const);
  if (kind !== 'quant') return { kind };
  const step = number(o, 'step', path, positive, 'must be a positive number');
  const levels = integer(o, 'levels', path, 2, MAX_LEVELS);
  const top = Math.fround(Math.fround(step) * (levels - 1));
  if (!Number.isFinite(top)) fail(`${path}.step`, `step × (levels − 1) = ${top} in float32; the largest activation must be finite`, step);
  return { kind, step, levels };
}

/** `beta`: one leak in (0, 1], or (where `perChannel`) one per channel. */
function parseBeta(o: Json, path: string, channels: number, perChannel: boolean): number | number[] {
  if (!Array.isArray(o.beta)) return number(o, 'beta', path, (x) => x > 0 && x <= 1, 'must be in (0, 1]');
  if (!perChannel) fail(`${path}.beta`, 'must be one number in (0, 1]: one leak per channel is for neuron layers only', o.beta);
  const betas = o.beta as unknown[];
  for (const beta of betas) if (typeof beta !== 'number' || !(beta > 0 && beta <= 1) || !holdsInFloat32(beta)) fail(`${path}.beta`, 'must be numbers in (0, 1] that float32 holds (at least 1.2e-38)', beta);
  if (betas.length !== 1 && betas.length !== channels) fail(`${path}.beta`, `must hold 1 leak or one per channel (${channels}), got ${betas.length} values`);
  return betas as number[];
}

/**
 * The neuron fields shared by every spiking layer; `channels` bounds the threshold count, and
 * `perChannelBeta` allows one leak per channel (neuron layers).
 */
export function parseNeuron(o: Json, path: string, channels: number, perChannelBeta = false): NeuronSpec {
  const thresholds = array(o, 'vThreshold', path, true);
  for (const threshold of thresholds) {
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0) fail(`${path}.vThreshold`, 'must be positive numbers', threshold);
    if (!holdsInFloat32(threshold)) fail(`${path}.vThreshold`, 'must be positive numbers that float32 holds: from 1.2e-38 to 3.4e38', threshold);
  }
  if (thresholds.length !== 1 && thresholds.length !== channels) {
    fail(`${path}.vThreshold`, `must hold 1 threshold or one per channel (${channels}), got ${thresholds.length} values`);
  }
  const spec: NeuronSpec = {
    model: oneOf(o, 'model', path, NEURON_MODEL_NAMES),
    reset: oneOf(o, 'reset', path, ['soft', 'hard', 'none'] as const),
    vThreshold: thresholds as number[],
    beta: parseBeta(o, path, channels, perChannelBeta),
    vReset: number(o, 'vReset', path),
    vInitFraction: number(o, 'vInitFraction', path),
    levels: integer(o, 'levels', path, 2, MAX_LEVELS),
    ann: parseAnn(o.ann, `${path}.ann`),
  };
  // The initial potential vInitFraction · θ must be finite in float32 for every threshold.
  for (const threshold of spec.vThreshold) {
    const start = Math.fround(Math.fround(spec.vInitFraction) * Math.fround(threshold));
    if (!Number.isFinite(start)) fail(`${path}.vInitFraction`, `vInitFraction × vThreshold = ${start} in float32; the initial potential must be finite`, spec.vInitFraction);
  }
  return spec;
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

/** The ANN twin's activation as training applies it (the quantiser's step is a tensor). */
function trainActivation(spec: AnyNeuronSpec): TrainActivation {
  return spec.ann.kind === 'quant' ? { kind: 'quant', levels: spec.ann.levels } : spec.ann;
}

/** The learned step of a quantiser, or a placeholder tensor for activations without one. */
function stepTensor<Tensor>(ctx: TrainContext<Tensor>, spec: AnyNeuronSpec): Tensor {
  return spec.ann.kind === 'quant' ? ctx.param(`${spec.name}.step`).value : ctx.work('unitStep', 1);
}

/** The learned threshold and leak tensors of a model that learns them (read in place of the spec's values). */
function learnedTensors<Tensor>(ctx: TrainContext<Tensor>, spec: AnyNeuronSpec): { vThreshold?: Tensor; beta?: Tensor } {
  if (!NEURON_MODELS[spec.model].learns.length) return {};
  return { vThreshold: ctx.param(`${spec.name}.vThreshold`).value, beta: ctx.param(`${spec.name}.beta`).value };
}

/** A sequence layer needs positions that all cover the same tokens (a convolution of one width before it). */
function checkSequenceInput(input: ValueShape): void {
  needPositional(input, 'a sequence-neuron layer');
  needUniform(input, 'a sequence-neuron layer');
}

/** The module of either kind: they differ only in how the lanes of a call run (`SequenceArgs`). */
function neuronModule<S extends AnyNeuronSpec>(kind: S['kind']): LayerModule<S> {
  const sequence = kind === 'sequence-neuron';
  return {
    kind,
    arity: 'one',
    staticInput: 'broadcast',
    sequential: sequence,
    alongSentence: sequence,
    parse(o, path, base, [input]) {
      if (sequence) checkSequenceInput(input);
      return { kind, ...base, ...parseNeuron(o, path, input.channels, true) } as S;
    },
    output(_spec, [input]) {
      if (sequence) checkSequenceInput(input);
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
        // A sequence's state, one neuron per (sample, channel), lives for the run: chunks carry it on.
        layer: sequence ? ctx.runNeuronState(spec.name, params, ctx.batch * channels) : ctx.neuronState(spec.name, params, neurons),
        membrane: out.membrane,
        xBroadcast: input.steps < ctx.numSteps,
        sequence: sequence ? { batch: ctx.batch, positions: input.positions, validPositions: ctx.sequenceValid(input.shape), continues: ctx.chunkIndex > 0 } : undefined,
      });
    },
    energy(_spec, ctx) {
      return ctx.spiking(validNeurons(ctx.shape, ctx.positions));
    },
    view(spec) {
      return { spiking: true, label: sequence ? `${spec.model} neurons over the words` : `${spec.model} neurons` };
    },
    train: {
      check(spec, mode) {
        // The ANN twin of any model trains (a BIF layer is its quantiser); BPTT needs a trainable model.
        if (mode === 'snn') checkTrainableNeuron(spec.name, spec);
      },
      params(spec, _stored, mode) {
        if (mode === 'ann') {
          // The quantiser's step is learned (LSQ); relu and identity have no parameter.
          return spec.ann.kind === 'quant' ? [{ name: `${spec.name}.step`, value: Float32Array.of(spec.ann.step), decay: false, low: 1e-4 }] : [];
        }
        // A model that learns its leak and threshold trains them as tensors, laid out as in model.json.
        if (!NEURON_MODELS[spec.model].learns.length) return [];
        return [
          { name: `${spec.name}.beta`, value: Float32Array.from(Array.isArray(spec.beta) ? spec.beta : [spec.beta]), decay: false, low: 0.01, high: 1 },
          { name: `${spec.name}.vThreshold`, value: Float32Array.from(spec.vThreshold), decay: false, low: 0.01 },
        ];
      },
      stored() {
        return [];
      },
      trainedSpec(spec, value) {
        const step = spec.ann.kind === 'quant' ? value(`${spec.name}.step`) : undefined;
        let out: S = step && spec.ann.kind === 'quant' ? { ...spec, ann: { ...spec.ann, step: step[0] } } : spec;
        const beta = value(`${spec.name}.beta`);
        const threshold = value(`${spec.name}.vThreshold`);
        if (beta && threshold) out = { ...out, beta: beta.length === 1 ? beta[0] : Array.from(beta), vThreshold: Array.from(threshold) };
        return out;
      },
      forward(ctx, spec, [input], output) {
        const channels = input.shape.channels;
        if (ctx.mode === 'ann') {
          const count = ctx.rows * input.positions * channels;
          ctx.ops.activation({ count, activation: trainActivation(spec), step: stepTensor(ctx, spec), input: input.tensor, output: output.tensor });
          return;
        }
        const params = ctx.neuronParams(spec, channels);
        const neurons = ctx.batch * input.positions * channels;
        const learned = learnedTensors(ctx, spec);
        const lanes = sequence ? ctx.batch * channels : neurons;
        ctx.ops.neuron({
          params,
          neurons,
          tStart: 0,
          tCount: ctx.numSteps,
          x: input.tensor,
          spikes: output.tensor,
          layer: ctx.ops.neuronLayer(`${spec.name}.state`, params, lanes, learned.vThreshold && learned.beta ? { vThreshold: learned.vThreshold, beta: learned.beta } : undefined),
          membrane: ctx.work(`${spec.name}.membrane`, output.capacity),
          sequence: sequence ? { ...sequenceOf(ctx, input.shape, input.positions), continues: false } : undefined,
        });
      },
      backward(ctx, spec, [input], output, gradOutput, [gradInput]) {
        const channels = input.shape.channels;
        if (ctx.mode === 'ann') {
          const activation = trainActivation(spec);
          const levels = activation.kind === 'quant' ? activation.levels : 2;
          ctx.ops.activationBackward({
            count: ctx.rows * input.positions * channels,
            activation,
            step: stepTensor(ctx, spec),
            input: input.tensor,
            gradOutput,
            gradInput: gradInput ?? ctx.work(`${spec.name}.unusedGradInput`, input.capacity),
            gradStep: activation.kind === 'quant' ? ctx.param(`${spec.name}.step`).grad : null,
            // LSQ: 1/√(N·(L − 1)), N the elements per sample.
            stepGradScale: 1 / Math.sqrt(input.positions * channels * (levels - 1)),
          });
          return;
        }
        const neurons = ctx.batch * input.positions * channels;
        const lanes = sequence ? ctx.batch * channels : neurons;
        const learns = NEURON_MODELS[spec.model].learns.length > 0;
        if (!gradInput && !learns) return;
        const perNeuron = (what: string) => ctx.work(`${spec.name}.${what}PerNeuron`, Math.ceil(output.capacity / ctx.numSteps));
        const learned = learns ? { spikes: output.tensor, gradBeta: perNeuron('gradBeta'), gradThreshold: perNeuron('gradThreshold') } : undefined;
        ctx.ops.neuronBackward({
          params: ctx.neuronParams(spec, channels),
          neurons,
          numSteps: ctx.numSteps,
          surrogate: ctx.surrogate,
          detachReset: ctx.detachReset,
          membrane: ctx.work(`${spec.name}.membrane`, output.capacity),
          gradSpikes: gradOutput,
          gradInput: gradInput ?? ctx.work(`${spec.name}.unusedGradInput`, output.capacity),
          ...learnedTensors(ctx, spec),
          learned,
          sequence: sequence ? sequenceOf(ctx, input.shape, input.positions) : undefined,
        });
        if (!learned) return;
        // Per-neuron gradients summed over the neurons of each channel (or of the layer).
        for (const [what, name] of [['gradBeta', 'beta'], ['gradThreshold', 'vThreshold']] as const) {
          const param = ctx.param(`${spec.name}.${name}`);
          const columns = (name === 'beta' ? (Array.isArray(spec.beta) ? spec.beta.length : 1) : spec.vThreshold.length) === 1 ? 1 : channels;
          ctx.ops.sumRows({ rows: lanes / columns, columns, input: learned[what], output: param.grad });
        }
      },
    },
  };
}

/** The lanes of a training batch: every sample's valid positions (the first `batch` of the time-major row lengths). */
function sequenceOf<Tensor>(ctx: TrainContext<Tensor>, shape: ValueShape, positions: number): SequenceArgs<Tensor> {
  return { batch: ctx.batch, positions, validPositions: ctx.rowLengths(shape) };
}

export const neuron = neuronModule<NeuronLayerSpec>('neuron');
export const sequenceNeuron = neuronModule<SequenceNeuronLayerSpec>('sequence-neuron');
