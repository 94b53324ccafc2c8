import type { NeuronParams } from '../../reference/neuron';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;
const MODEL_CODE = { IF: 0, LIF: 1, BIF: 2 } as const;
const RESET_CODE = { soft: 0, hard: 1, none: 2 } as const;

/** GPU resources of one neuron layer: thresholds and the carried state (v, count). */
export interface NeuronLayerBuffers {
  vThreshold: GPUBuffer;
  stateV: GPUBuffer;
  stateCount: GPUBuffer;
}

export function createNeuronLayerBuffers(arena: BufferArena, params: NeuronParams, neurons: number, label: string): NeuronLayerBuffers {
  return {
    vThreshold: arena.storage(`${label}.vThreshold`, params.vThreshold),
    stateV: arena.scratch(`${label}.stateV`, neurons * 4),
    stateCount: arena.scratch(`${label}.stateCount`, neurons * 4),
  };
}

/**
 * Records one neuron-layer dispatch (`shaders/neuron.wgsl`) over steps [tStart, tStart + tCount):
 * reads currents `x` `[T][neurons]` (or `[neurons]` for every step, with `xBroadcast`), writes `spikes`
 * and, if given, the membrane trace `membrane`.
 * With tStart = 0 the state is initialised; otherwise it continues from the layer's state buffers.
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
  },
): void {
  const { params, neurons } = args;
  const uniform = new UniformWriter()
    .u32(neurons)
    .u32(params.channels)
    .u32(params.vThreshold.length === 1 ? 0 : 1)
    .u32(args.tStart)
    .u32(args.tCount)
    .u32(args.tStart === 0 ? 1 : 0)
    .u32(args.membrane ? 1 : 0)
    .u32(params.levels)
    .f32(params.beta)
    .f32(params.vReset)
    .f32(params.vInitFraction)
    .u32(args.xBroadcast ? 1 : 0)
    .finish();
  const pipeline = ctx.pipeline('neuron.wgsl', {
    WORKGROUP_SIZE,
    NEURON_MODEL: MODEL_CODE[params.model],
    RESET_MODE: RESET_CODE[params.reset],
  });
  const membrane = args.membrane ?? arena.scratch('neuron.noMembrane', 16);
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('neuron.params', uniform), args.x, args.layer.vThreshold, args.spikes, args.layer.stateV, args.layer.stateCount, membrane],
    ctx.grid1d(neurons, WORKGROUP_SIZE),
  );
}
