import { activationBackwardTrainReference, activationForwardTrainReference } from '../reference/activation-train';
import { adamWReference } from '../reference/adamw';
import { convReference } from '../reference/conv';
import { convInputBackwardReference, convShapeOfTrain, convWeightBackwardReference } from '../reference/conv-train';
import { crossEntropyReference } from '../reference/cross-entropy';
import { dropoutReference } from '../reference/dropout';
import { embeddingBackwardReference } from '../reference/embedding-backward';
import { encodeReference } from '../reference/encode';
import { linearReference } from '../reference/linear';
import { linearInputBackwardReference, linearWeightBackwardReference } from '../reference/linear-train';
import { neuronMultiStep } from '../reference/neuron';
import { neuronBackwardReference } from '../reference/neuron-backward';
import { poolSumReference, scaleRowsReference } from '../reference/pool';
import { poolBackwardReference } from '../reference/pool-train';
import { tokenRecurrentBackwardTrainReference, tokenRecurrentForwardTrainReference } from '../reference/token-recurrent-train';
import { sumOverTimeReference } from '../reference/reduce';
import type { NeuronParams } from '../reference/neuron';
import type { TrainOps } from './ops';

/** Neuron parameters with learned thresholds and leaks (tensors of 1 or one per channel) in place of the fixed ones. */
function learnedParams(params: NeuronParams, vThreshold: CpuTrainTensor | undefined, beta: CpuTrainTensor | undefined): NeuronParams {
  return {
    ...params,
    ...(vThreshold ? { vThreshold: Float32Array.from(vThreshold as Float32Array) } : {}),
    ...(beta ? { betas: Float32Array.from(beta as Float32Array) } : {}),
  };
}

/** A CPU training tensor: a typed array. */
export type CpuTrainTensor = Float32Array | Int32Array | Uint32Array;
type Args<K extends keyof TrainOps<CpuTrainTensor>> = TrainOps<CpuTrainTensor>[K] extends (args: infer A) => unknown ? A : never;

const f32 = (tensor: CpuTrainTensor) => tensor as Float32Array;

/** Training on the CPU with the reference functions: the oracle of the GPU path, and a fallback. */
export class CpuTrainOps implements TrainOps<CpuTrainTensor> {
  readonly kind = 'cpu';

  persistent(_role: string, data: Float32Array | Int32Array | Uint32Array): CpuTrainTensor {
    return data.slice();
  }
  write(tensor: CpuTrainTensor, data: Float32Array | Int32Array | Uint32Array): void {
    tensor.set(data);
  }
  upload(_role: string, data: Float32Array | Int32Array | Uint32Array): CpuTrainTensor {
    return data;
  }
  clear(tensor: CpuTrainTensor, length: number): void {
    tensor.fill(0, 0, length);
  }

  gather(args: Args<'gather'>): void {
    const { batch, tokens, dim } = args;
    const ids = args.tokenIds as Int32Array;
    const out = f32(args.output);
    for (let slot = 0; slot < batch * tokens; slot++) {
      const id = ids[slot];
      if (id < 0) out.fill(0, slot * dim, (slot + 1) * dim);
      else out.set(f32(args.table).subarray(id * dim, (id + 1) * dim), slot * dim);
    }
  }
  convForward(args: Args<'convForward'>): void {
    args.output.set(convReference(convShapeOfTrain(args.shape), f32(args.input), f32(args.weights), null, args.lengths as Uint32Array));
  }
  convWeightBackward(args: Args<'convWeightBackward'>): void {
    args.gradWeights.set(convWeightBackwardReference(args.shape, f32(args.input), f32(args.gradOutput), args.lengths as Uint32Array));
  }
  convInputBackward(args: Args<'convInputBackward'>): void {
    args.gradInput.set(convInputBackwardReference(args.shape, f32(args.weights), f32(args.gradOutput), args.lengths as Uint32Array));
  }
  activationForward(args: Args<'activationForward'>): void {
    args.output.set(activationForwardTrainReference(f32(args.input).subarray(0, args.count), args.activation, args.step[0]));
  }
  activationBackward(args: Args<'activationBackward'>): void {
    const result = activationBackwardTrainReference(
      f32(args.input).subarray(0, args.count),
      f32(args.gradOutput).subarray(0, args.count),
      args.activation,
      args.step[0],
      args.stepGradScale,
    );
    args.gradInput.set(result.gradInput);
    if (args.gradStep) args.gradStep[0] = result.gradStep;
  }
  poolForward(args: Args<'poolForward'>): void {
    const { batch, positions, channels } = args;
    const pooled = poolSumReference({ rows: batch, batch, positions, channels }, f32(args.input).subarray(0, batch * positions * channels), args.validPositions as Uint32Array);
    scaleRowsReference(batch, batch, channels, pooled, f32(args.scale));
    args.output.set(pooled);
  }
  poolBackward(args: Args<'poolBackward'>): void {
    const { batch, positions, channels } = args;
    args.gradInput.set(poolBackwardReference(batch, positions, channels, f32(args.gradOutput), args.validPositions as Uint32Array, f32(args.scale)));
  }
  dropout(args: Args<'dropout'>): void {
    args.output.set(dropoutReference(f32(args.input).subarray(0, args.count), args.rate, args.seed, args.iteration));
  }
  linearForward(args: Args<'linearForward'>): void {
    const { rows, inFeatures, outFeatures } = args.shape;
    args.output.set(linearReference(rows, inFeatures, outFeatures, f32(args.input), f32(args.weights), args.bias ? f32(args.bias) : null));
  }
  linearWeightBackward(args: Args<'linearWeightBackward'>): void {
    const { weights, bias } = linearWeightBackwardReference(args.shape, f32(args.input), f32(args.gradOutput));
    args.gradWeights.set(weights);
    args.gradBias?.set(bias);
  }
  linearInputBackward(args: Args<'linearInputBackward'>): void {
    args.gradInput.set(linearInputBackwardReference(args.shape, f32(args.weights), f32(args.gradOutput)));
  }
  crossEntropy(args: Args<'crossEntropy'>): void {
    const logits = f32(args.logits).subarray(0, args.batch * args.classes);
    const result = crossEntropyReference(logits, (args.labels as Int32Array).subarray(0, args.batch), args.classes, args.gradScale);
    args.gradLogits.set(result.gradLogits);
    for (let b = 0; b < args.batch; b++) {
      args.stats[2 * b] = result.losses[b];
      args.stats[2 * b + 1] = result.correct[b];
    }
  }
  embeddingBackward(args: Args<'embeddingBackward'>): void {
    embeddingBackwardReference(args.groups, f32(args.gradInput), args.dim, f32(args.gradTable));
  }
  adamW(args: Args<'adamW'>): void {
    adamWReference(f32(args.param).subarray(0, args.count), f32(args.grad), f32(args.m), f32(args.v), args.settings);
  }
  tokenRecurrentForward(args: Args<'tokenRecurrentForward'>): void {
    const { batch, positions, hidden } = args.shape;
    const count = batch * positions * hidden;
    const result = tokenRecurrentForwardTrainReference(args.shape, args.activation, args.step[0], f32(args.input).subarray(0, count), f32(args.transposedRecurrentWeights), args.lengths as Uint32Array);
    args.preActivation.set(result.preActivation);
    args.output.set(result.output);
    args.previous.set(result.previous);
  }
  tokenRecurrentBackward(args: Args<'tokenRecurrentBackward'>): void {
    const { batch, positions, hidden } = args.shape;
    const count = batch * positions * hidden;
    const result = tokenRecurrentBackwardTrainReference(
      args.shape,
      args.activation,
      args.step[0],
      f32(args.preActivation).subarray(0, count),
      f32(args.transposedRecurrentWeights),
      args.lengths as Uint32Array,
      f32(args.gradOutput).subarray(0, count),
      args.stepGradScale,
    );
    args.gradInput.set(result.gradInput);
    if (args.gradStep) args.gradStep[0] = result.gradStep;
  }
  encodeRate(args: Args<'encodeRate'>): void {
    const { seed, shape, firstStepOnly } = args;
    const tokenIds = (args.tokenIds as Int32Array).subarray(0, shape.batch * shape.tokens);
    const streamIds = (args.streamIds as Uint32Array).subarray(0, shape.batch);
    args.output.set(encodeReference({ kind: 'rate', seed, shape, positionOffset: 0, tokenIds, probabilities: f32(args.probabilities), streamIds, firstStepOnly }));
  }
  neuronForward(args: Args<'neuronForward'>): void {
    const count = args.numSteps * args.neurons;
    const params = learnedParams(args.params, args.vThreshold, args.beta);
    const { spikes, membrane } = neuronMultiStep(params, f32(args.input).subarray(0, count), args.numSteps, args.neurons, undefined, true);
    args.spikes.set(spikes);
    args.membrane.set(membrane!);
  }
  neuronBackward(args: Args<'neuronBackward'>): void {
    const count = args.numSteps * args.neurons;
    const params = learnedParams(args.params, args.vThreshold, args.beta);
    const spikes = args.learned ? f32(args.learned.spikes).subarray(0, count) : undefined;
    const result = neuronBackwardReference(params, f32(args.membrane).subarray(0, count), f32(args.gradSpikes).subarray(0, count), args.numSteps, args.neurons, args.surrogate, args.detachReset, spikes);
    args.gradInput.set(result.gradInput);
    if (args.learned) {
      args.learned.gradBeta.set(result.gradBeta!);
      args.learned.gradThreshold.set(result.gradThreshold!);
    }
  }
  sumRows(args: Args<'sumRows'>): void {
    args.output.set(sumOverTimeReference(f32(args.input).subarray(0, args.rows * args.columns), args.rows, args.columns));
  }

  async read(tensors: { tensor: CpuTrainTensor; length: number }[]): Promise<Float32Array[]> {
    return tensors.map(({ tensor, length }) => Float32Array.from(tensor.subarray(0, length)));
  }
  dispose(): void {}
}
