import { NEURON_MODELS } from '../../neurons/models';
import type { NeuronParams } from '../../reference/neuron';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;
const RESET_CODE = { soft: 0, hard: 1, none: 2 } as const;

/** GPU resources of one neuron layer: thresholds, leaks and the carried state (v, count). */
export interface NeuronLayerBuffers {
  vThreshold: GPUBuffer;
  /** `[1]` or `[channels]`. */
  beta: GPUBuffer;
  stateV: GPUBuffer;
  stateCount: GPUBuffer;
}

/** The leaks of a layer as the kernels read them: one, or one per channel. */
export function betaValues(params: NeuronParams): Float32Array {
  return params.betas ?? Float32Array.of(params.beta);
}

/** The one leak of a layer, for kernels that take a single β (the recurrent layers); per-channel leaks are refused there. */
export function layerBeta(params: NeuronParams): number {
  if (params.betas && params.betas.length > 1) throw new RangeError('Recurrent layers take one leak for the layer, not one per channel.');
  return params.betas?.[0] ?? params.beta;
}

/** Model codes of the kernels' NEURON_MODEL, from the table of neuron models. */
export function neuronModelCode(params: NeuronParams): number {
  return NEURON_MODELS[params.model].code;
}

export function createNeuronLayerBuffers(arena: BufferArena, params: NeuronParams, neurons: number, label: string): NeuronLayerBuffers {
  return {
    vThreshold: arena.storage(`${label}.vThreshold`, params.vThreshold),
    beta: arena.storage(`${label}.beta`, betaValues(params)),
    stateV: arena.scratch(`${label}.stateV`, neurons * 4),
    stateCount: arena.scratch(`${label}.stateCount`, neurons * 4),
  };
}

/**
 * Records one neuron-layer dispatch (`shaders/neuron.wgsl`) over steps [tStart, tStart + tCount):
 * reads currents `x` `[T][neurons]` (or `[neurons]` for every step, with `xBroadcast`), writes `spikes`
 * and, if given, the membrane trace `membrane`.
 * With tStart = 0 the state is initialised; otherwise it continues from the layer's state buffers.
 * With `sequence` the lanes are (sample, channel) pairs over the positions (architecture §2.5), the
 * state is initialised unless the call `continues` the chunk before.
 */
export function recordNeuron(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    params: NeuronParams;
    neurons: number;
    tStart: number;
    tCount: number;
    x: GPUBuffer;
    spikes: GPUBuffer;
    layer: NeuronLayerBuffers;
    membrane?: GPUBuffer;
    /** `x` holds one step `[neurons]`, the same current at every step (a static input computed once). */
    xBroadcast?: boolean;
    /** Neurons over the positions: one per (sample, channel), the state carried on when `continues`. */
    sequence?: { batch: number; positions: number; validPositions: GPUBuffer; continues: boolean };
  },
): void {
  const { params, neurons, sequence } = args;
  if (sequence && sequence.batch * sequence.positions * params.channels !== neurons) throw new RangeError(`a sequence of ${sequence.batch} × ${sequence.positions} positions × ${params.channels} channels is not ${neurons} neurons`);
  const uniform = new UniformWriter()
    .u32(neurons)
    .u32(params.channels)
    .u32(params.vThreshold.length === 1 ? 0 : 1)
    .u32(args.tStart)
    .u32(args.tCount)
    .u32((sequence ? !sequence.continues : args.tStart === 0) ? 1 : 0)
    .u32(args.membrane ? 1 : 0)
    .u32(params.levels)
    .u32(betaValues(params).length > 1 ? 1 : 0)
    .f32(params.vReset)
    .f32(params.vInitFraction)
    .u32(args.xBroadcast ? 1 : 0)
    .u32(sequence?.batch ?? 0)
    .u32(sequence?.positions ?? 0)
    .finish();
  const pipeline = ctx.pipeline('neuron.wgsl', {
    WORKGROUP_SIZE,
    NEURON_MODEL: neuronModelCode(params),
    RESET_MODE: RESET_CODE[params.reset],
    SEQUENCE: sequence ? 1 : 0,
  });
  const membrane = args.membrane ?? arena.scratch('neuron.noMembrane', 16);
  const validPositions = sequence?.validPositions ?? arena.scratch('neuron.noSequence', 16);
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('neuron.params', uniform), args.x, args.layer.vThreshold, args.spikes, args.layer.stateV, args.layer.stateCount, membrane, args.layer.beta, validPositions],
    ctx.grid1d(sequence ? sequence.batch * params.channels : neurons, WORKGROUP_SIZE),
  );
}
