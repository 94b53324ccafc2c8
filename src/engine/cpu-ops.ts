import type { AnnActivation } from '../model/spec';
import { activationReference } from '../reference/activation';
import { activationBackwardTrainReference, activationForwardTrainReference, type TrainActivation } from '../reference/activation-train';
import { adamWReference } from '../reference/adamw';
import { convInputBackwardReference, convWeightBackwardReference } from '../reference/conv-train';
import { crossEntropyReference } from '../reference/cross-entropy';
import { dropoutReference } from '../reference/dropout';
import { embeddingBackwardReference } from '../reference/embedding-backward';
import { linearInputBackwardReference, linearWeightBackwardReference } from '../reference/linear-train';
import { neuronBackwardReference } from '../reference/neuron-backward';
import { lstmBackwardReference, lstmForwardReference, lstmRecurrentGradReference } from '../reference/lstm';
import { poolBackwardReference } from '../reference/pool-train';
import { tokenRecurrentBackwardTrainReference, tokenRecurrentForwardTrainReference } from '../reference/token-recurrent-train';
import { sumOverTimeReference } from '../reference/reduce';
import { convPositionsOf, convReference } from '../reference/conv';
import { encodeReference } from '../reference/encode';
import { linearReference } from '../reference/linear';
import { initialNeuronState, neuronMultiStep, type NeuronParams, type NeuronState } from '../reference/neuron';
import { placeReference } from '../reference/place';
import { poolSumReference, scaleRowsReference } from '../reference/pool';
import { recurrentReference } from '../reference/recurrent';
import { tokenRecurrentReference } from '../reference/token-recurrent';
import { countEventsReference, readoutReference } from '../reference/reduce';
import type { TensorOps } from './ops';

/** A CPU tensor is a typed array. */
export type CpuTensor = Float32Array | Int32Array | Uint32Array;

interface CpuNeuronLayer {
  params: NeuronParams;
  state: NeuronState;
  /** Learned thresholds and leaks, read when the layer runs. */
  learned?: { vThreshold: CpuTensor; beta: CpuTensor };
}

/** Neuron parameters with learned thresholds and leaks (tensors of 1 or one per channel) in place of the fixed ones. */
function learnedParams(params: NeuronParams, vThreshold: CpuTensor | undefined, beta: CpuTensor | undefined): NeuronParams {
  return {
    ...params,
    ...(vThreshold ? { vThreshold: Float32Array.from(vThreshold as Float32Array) } : {}),
    ...(beta ? { betas: Float32Array.from(beta as Float32Array) } : {}),
  };
}

type Args<K extends keyof TensorOps<CpuTensor, CpuNeuronLayer>> = TensorOps<CpuTensor, CpuNeuronLayer>[K] extends (args: infer A) => unknown ? A : never;
type TrainArgs<K extends keyof TensorOps<CpuTensor, CpuNeuronLayer>> = Args<K>;
const f32 = (tensor: CpuTensor) => tensor as Float32Array;

/**
 * The operations on the CPU, for inference and training, with the reference implementation of every
 * kernel: the oracle the GPU is tested against, and the fallback where WebGPU is missing. Whole time
 * ranges only.
 */
export class CpuOps implements TensorOps<CpuTensor, CpuNeuronLayer> {
  readonly kind = 'cpu';
  readonly supportsStepRanges = false;

  allocate(_role: string, length: number): CpuTensor {
    return new Float32Array(length);
  }

  upload(_role: string, data: Float32Array | Int32Array | Uint32Array): CpuTensor {
    return data;
  }

  neuronLayer(_role: string, params: NeuronParams, neurons: number, learned?: { vThreshold: CpuTensor; beta: CpuTensor }): CpuNeuronLayer {
    return { params, state: initialNeuronState(learnedParams(params, learned?.vThreshold, learned?.beta), neurons), learned };
  }

  persistent(_role: string, data: Float32Array | Int32Array | Uint32Array): CpuTensor {
    return data.slice();
  }

  write(tensor: CpuTensor, data: Float32Array | Int32Array | Uint32Array): void {
    tensor.set(data);
  }

  clear(tensor: CpuTensor, length: number): void {
    tensor.fill(0, 0, length);
  }

  encode(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['encode']>[0]): void {
    wholeRange(args.tStart, args.tCount, args.shape.numSteps);
    const encoded = encodeReference({
      kind: args.kind,
      seed: args.seed,
      shape: args.shape,
      positionOffset: args.positionOffset,
      tokenIds: args.tokenIds as Int32Array,
      probabilities: args.probabilities as Float32Array,
      streamIds: args.streamIds as Uint32Array,
      firstStepOnly: args.firstStepOnly,
    });
    args.output.set(encoded);
  }

  conv(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['conv']>[0]): void {
    wholeRange(args.rowStart, args.rowCount, args.shape.rows);
    const { shape } = args;
    const input = (args.input as Float32Array).subarray(0, shape.rows * shape.tokens * shape.inChannels);
    const output = convReference(shape, input, args.weights as Float32Array, args.bias as Float32Array | null, args.lengths as Uint32Array);
    args.output.set(output.subarray(0, shape.rows * convPositionsOf(shape) * shape.widths.length * shape.filters));
  }

  linear(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['linear']>[0]): void {
    wholeRange(args.rowStart, args.rowCount, args.rows);
    const input = (args.input as Float32Array).subarray(0, args.rows * args.inFeatures);
    args.output.set(linearReference(args.rows, args.inFeatures, args.outFeatures, input, args.weights as Float32Array, args.bias as Float32Array | null));
  }

  neuron(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['neuron']>[0]): void {
    const x = (args.x as Float32Array).subarray(0, (args.xBroadcast ? 1 : args.tStart + args.tCount) * args.neurons);
    wholeRange(args.tStart, args.tCount, args.tCount);
    const params = learnedParams(args.params, args.layer.learned?.vThreshold, args.layer.learned?.beta);
    const sequence = args.sequence && { ...args.sequence, validPositions: args.sequence.validPositions as Uint32Array };
    if (sequence && !args.sequence!.continues) {
      const fresh = initialNeuronState(params, args.layer.state.v.length);
      args.layer.state.v.set(fresh.v);
      args.layer.state.count.set(fresh.count);
    }
    const result = neuronMultiStep(params, x, args.tCount, args.neurons, args.layer.state, args.membrane !== undefined, args.xBroadcast, sequence);
    args.spikes.set(result.spikes);
    if (args.membrane && result.membrane) args.membrane.set(result.membrane);
  }

  recurrent(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['recurrent']>[0]): void {
    wholeRange(args.tStart, args.tCount, args.numSteps);
    const result = recurrentReference({
      numSteps: args.numSteps,
      batch: args.batch,
      hidden: args.hidden,
      params: args.params,
      inputCurrent: (args.inputCurrent as Float32Array).subarray(0, args.numSteps * args.batch * args.hidden),
      recurrentWeights: args.recurrentWeights as Float32Array,
      recordMembrane: args.membrane !== undefined,
      activation: args.activation,
    });
    args.spikes.set(result.spikes);
    if (args.membrane && result.membrane) args.membrane.set(result.membrane);
  }

  tokenRecurrent(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['tokenRecurrent']>[0]): void {
    const perStep = args.batch * args.positions * args.hidden;
    const result = tokenRecurrentReference({
      ...args,
      x: (args.x as Float32Array).subarray(0, (args.xBroadcast ? 1 : args.numSteps) * perStep),
      recurrentWeights: args.recurrentWeights as Float32Array,
      validPositions: args.validPositions as Uint32Array,
      carry: args.continues ? (args.carry as Float32Array) : undefined,
      recordMembrane: args.membrane !== undefined,
    });
    args.spikes.set(result.spikes);
    args.carry.set(result.carry);
    if (args.membrane && result.membrane) args.membrane.set(result.membrane);
  }

  activation(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['activation']>[0]): void {
    const input = (args.input as Float32Array).subarray(0, args.count);
    if (args.step) args.output.set(activationForwardTrainReference(input, args.activation as TrainActivation, args.step[0]));
    else args.output.set(activationReference(input, args.activation as AnnActivation));
  }

  place(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['place']>[0]): void {
    const { groupStart, groups, positionsIn, channelsIn, positionsOut, channelsOut } = args;
    const input = (args.input as Float32Array).subarray(groupStart * positionsIn * channelsIn, (groupStart + groups) * positionsIn * channelsIn);
    const output = (args.output as Float32Array).subarray(groupStart * positionsOut * channelsOut, (groupStart + groups) * positionsOut * channelsOut);
    placeReference(args, input, output, args.accumulate);
  }

  poolSum(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['poolSum']>[0]): void {
    wholeRange(args.rowStart, args.rowCount, args.shape.rows);
    const { shape } = args;
    const input = (args.input as Float32Array).subarray(0, shape.rows * shape.positions * shape.channels);
    const accumulated = args.accumulate ? (args.output as Float32Array).slice(0, shape.rows * shape.channels) : undefined;
    args.output.set(poolSumReference(shape, input, args.validPositions as Uint32Array, accumulated));
  }

  scaleRows(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['scaleRows']>[0]): void {
    wholeRange(args.rowStart, args.rowCount, args.rows);
    scaleRowsReference(args.rows, args.batch, args.channels, args.values as Float32Array, args.scale as Float32Array);
  }

  countEvents(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['countEvents']>[0]): void {
    const length = args.numSteps * args.batch * args.positions * args.channels;
    const input = (args.input as Float32Array).subarray(0, length);
    args.output.set(countEventsReference(input, args.numSteps, args.batch, args.positions, args.channels));
  }

  readout(args: Parameters<TensorOps<CpuTensor, CpuNeuronLayer>['readout']>[0]): void {
    const length = args.numSteps * args.batch * args.classes * args.population;
    const input = (args.input as Float32Array).subarray(0, length);
    args.output.set(readoutReference(input, args.numSteps, args.batch, args.classes, args.population));
  }

  convWeightBackward(args: TrainArgs<'convWeightBackward'>): void {
    args.gradWeights.set(convWeightBackwardReference(args.shape, f32(args.input), f32(args.gradOutput), args.lengths as Uint32Array));
  }
  convInputBackward(args: TrainArgs<'convInputBackward'>): void {
    args.gradInput.set(convInputBackwardReference(args.shape, f32(args.weights), f32(args.gradOutput), args.lengths as Uint32Array));
  }

  activationBackward(args: TrainArgs<'activationBackward'>): void {
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

  poolBackward(args: TrainArgs<'poolBackward'>): void {
    const { batch, positions, channels } = args;
    args.gradInput.set(poolBackwardReference(batch, positions, channels, f32(args.gradOutput), args.validPositions as Uint32Array, f32(args.scale)));
  }
  dropout(args: TrainArgs<'dropout'>): void {
    args.output.set(dropoutReference(f32(args.input).subarray(0, args.count), args.rate, args.seed, args.iteration));
  }

  linearWeightBackward(args: TrainArgs<'linearWeightBackward'>): void {
    const { weights, bias } = linearWeightBackwardReference(args.shape, f32(args.input), f32(args.gradOutput));
    args.gradWeights.set(weights);
    args.gradBias?.set(bias);
  }
  linearInputBackward(args: TrainArgs<'linearInputBackward'>): void {
    args.gradInput.set(linearInputBackwardReference(args.shape, f32(args.weights), f32(args.gradOutput)));
  }
  crossEntropy(args: TrainArgs<'crossEntropy'>): void {
    const logits = f32(args.logits).subarray(0, args.batch * args.classes);
    const result = crossEntropyReference(logits, (args.labels as Int32Array).subarray(0, args.batch), args.classes, args.gradScale);
    args.gradLogits.set(result.gradLogits);
    for (let b = 0; b < args.batch; b++) {
      args.stats[2 * b] = result.losses[b];
      args.stats[2 * b + 1] = result.correct[b];
    }
  }
  embeddingBackward(args: TrainArgs<'embeddingBackward'>): void {
    embeddingBackwardReference(args.groups, f32(args.gradInput), args.dim, f32(args.gradTable));
  }
  adamW(args: TrainArgs<'adamW'>): void {
    adamWReference(f32(args.param).subarray(0, args.count), f32(args.grad), f32(args.m), f32(args.v), args.settings);
  }
  tokenRecurrentForward(args: TrainArgs<'tokenRecurrentForward'>): void {
    const { batch, positions, hidden } = args.shape;
    const count = batch * positions * hidden;
    const result = tokenRecurrentForwardTrainReference(args.shape, args.activation, args.step[0], f32(args.input).subarray(0, count), f32(args.transposedRecurrentWeights), args.lengths as Uint32Array);
    args.preActivation.set(result.preActivation);
    args.output.set(result.output);
    args.previous.set(result.previous);
  }
  tokenRecurrentBackward(args: TrainArgs<'tokenRecurrentBackward'>): void {
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


  lstm(args: TrainArgs<'lstm'>): void {
    const carry = f32(args.carry);
    const result = lstmForwardReference(args.shape, f32(args.z), f32(args.recurrentWeights), args.lengths as Uint32Array, args.continues ? carry : undefined);
    args.output.set(result.output);
    carry.set(result.carry);
    if (args.kept) {
      args.kept.gates.set(result.gates);
      args.kept.cells.set(result.cells);
    }
  }

  lstmBackward(args: TrainArgs<'lstmBackward'>): void {
    args.gradGates.set(lstmBackwardReference(args.shape, { gates: f32(args.gates), cells: f32(args.cells) }, f32(args.recurrentWeights), args.lengths as Uint32Array, f32(args.gradOutput)));
  }

  lstmRecurrentGrad(args: TrainArgs<'lstmRecurrentGrad'>): void {
    args.gradRecurrent.set(lstmRecurrentGradReference(args.shape, f32(args.output), f32(args.gradGates), args.lengths as Uint32Array));
  }

  neuronBackward(args: TrainArgs<'neuronBackward'>): void {
    const count = args.numSteps * args.neurons;
    const params = learnedParams(args.params, args.vThreshold, args.beta);
    const spikes = args.learned ? f32(args.learned.spikes).subarray(0, count) : undefined;
    const sequence = args.sequence && { ...args.sequence, validPositions: args.sequence.validPositions as Uint32Array };
    const result = neuronBackwardReference(params, f32(args.membrane).subarray(0, count), f32(args.gradSpikes).subarray(0, count), args.numSteps, args.neurons, args.surrogate, args.detachReset, spikes, sequence);
    args.gradInput.set(result.gradInput);
    if (args.learned) {
      args.learned.gradBeta.set(result.gradBeta!);
      args.learned.gradThreshold.set(result.gradThreshold!);
    }
  }
  sumRows(args: TrainArgs<'sumRows'>): void {
    args.output.set(sumOverTimeReference(f32(args.input).subarray(0, args.rows * args.columns), args.rows, args.columns));
  }

  flush(): void {}

  async settle(): Promise<void> {}

  async read(tensors: { tensor: CpuTensor; length: number }[]): Promise<Float32Array[]> {
    return tensors.map(({ tensor, length }) => Float32Array.from(tensor.subarray(0, length)));
  }

  dispose(): void {}
}

/** Throws unless `[start, start + count)` is the whole range `[0, total)`: the CPU backends run whole ranges only. */
export function wholeRange(start: number, count: number, total: number): void {
  if (start !== 0 || count !== total) throw new Error('The CPU backend runs whole time ranges only.');
}
