import { activationReference } from '../reference/activation';
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
}

/**
 * The operations on the CPU, with the reference implementation of every kernel: the oracle the GPU
 * is tested against, and the fallback where WebGPU is missing. Whole time ranges only.
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

  neuronLayer(_role: string, params: NeuronParams, neurons: number): CpuNeuronLayer {
    return { params, state: initialNeuronState(params, neurons) };
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
    const result = neuronMultiStep(args.params, x, args.tCount, args.neurons, args.layer.state, args.membrane !== undefined, args.xBroadcast);
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
    args.output.set(activationReference((args.input as Float32Array).subarray(0, args.count), args.activation));
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

  flush(): void {}

  async read(tensors: { tensor: CpuTensor; length: number }[]): Promise<Float32Array[]> {
    return tensors.map(({ tensor, length }) => Float32Array.from(tensor.subarray(0, length)));
  }

  dispose(): void {}
}

function wholeRange(start: number, count: number, total: number): void {
  if (start !== 0 || count !== total) throw new Error('The CPU backend runs whole time ranges only.');
}
