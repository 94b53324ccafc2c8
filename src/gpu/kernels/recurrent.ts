import type { AnnActivation } from '../../model/spec';
import type { NeuronParams } from '../../reference/neuron';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';
import { GpuLimitError } from '../errors';
import { ACTIVATION_CODE, activationConstants } from './activation';
import type { NeuronLayerBuffers } from './neuron';
import { layerBeta, neuronModelCode } from './neuron';

const WORKGROUP_SIZE = 64;
const RESET_CODE = { soft: 0, hard: 1, none: 2 } as const;

/** The largest hidden size the recurrent kernel supports: two steps of spikes fill 16 KiB of workgroup memory. */
export const MAX_RECURRENT_HIDDEN = 2048;

/**
 * Workgroup memory is sized per pipeline: the hidden size rounded up to a power of two (at least 64),
 * so that small layers do not reserve 16 KiB per workgroup and few pipeline variants exist.
 */
export function hiddenCapacity(hidden: number): number {
  if (hidden > MAX_RECURRENT_HIDDEN) {
    throw new GpuLimitError(
      `A recurrent layer of ${hidden} hidden units is too large for the GPU kernel (at most ${MAX_RECURRENT_HIDDEN}); use a smaller hidden size.`,
    );
  }
  let capacity = 64;
  while (capacity < hidden) capacity *= 2;
  return capacity;
}

/**
 * Records the recurrent spiking layer (`shaders/recurrent.wgsl`) over steps [tStart, tStart + tCount) of
 * `numSteps`: `x_t = inputCurrent_t + U·s_{t−1}`, then the neuron step (or `act(x_t)` with `activation`,
 * the ANN twin). One workgroup per sample. At tStart = 0 the neuron state is initialised and s_{−1} = 0;
 * otherwise s_{tStart−1} is read from `spikes` and the state from `layer`, so one dispatch per step equals
 * one dispatch of all steps. Writes `spikes` (and `membrane`: h, or x in the ANN twin) at those steps and
 * the state in `layer` (untouched in the ANN twin). `params.channels` must equal `hidden`.
 * Throws `GpuLimitError` beyond `MAX_RECURRENT_HIDDEN` hidden units.
 */
export function recordRecurrent(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    numSteps: number;
    tStart: number;
    tCount: number;
    batch: number;
    hidden: number;
    params: NeuronParams;
    inputCurrent: GPUBuffer;
    recurrentWeights: GPUBuffer;
    spikes: GPUBuffer;
    layer: NeuronLayerBuffers;
    membrane?: GPUBuffer;
    activation?: AnnActivation;
  },
): void {
  const { params, batch, hidden, activation } = args;
  const capacity = hiddenCapacity(hidden);
  if (args.tStart < 0 || args.tCount < 0 || args.tStart + args.tCount > args.numSteps) {
    throw new RangeError(`Recurrent steps [${args.tStart}, ${args.tStart + args.tCount}) are outside [0, ${args.numSteps}).`);
  }
  if (params.vThreshold.length !== 1 && params.vThreshold.length !== hidden) {
    throw new RangeError(`A recurrent layer needs 1 or ${hidden} thresholds, got ${params.vThreshold.length}.`);
  }
  const { maxLevel, step } = activationConstants(activation);
  const uniform = new UniformWriter()
    .u32(batch)
    .u32(hidden)
    .u32(params.vThreshold.length === 1 ? 0 : 1)
    .u32(args.tStart)
    .u32(args.tCount)
    .u32(args.membrane ? 1 : 0)
    .u32(params.levels)
    .u32(0)
    .f32(layerBeta(params))
    .f32(params.vReset)
    .f32(params.vInitFraction)
    .f32(step)
    .f32(maxLevel)
    .f32(0)
    .f32(0)
    .f32(0)
    .finish();
  const pipeline = ctx.pipeline('recurrent.wgsl', {
    WORKGROUP_SIZE,
    HIDDEN_CAPACITY: capacity,
    ANN_TWIN: activation ? 1 : 0,
    ACTIVATION_KIND: ACTIVATION_CODE[activation?.kind ?? 'relu'],
    NEURON_MODEL: neuronModelCode(params),
    RESET_MODE: RESET_CODE[params.reset],
  });
  const membrane = args.membrane ?? arena.scratch('recurrent.noMembrane', 16);
  const { layer } = args;
  ctx.dispatch(
    pass,
    pipeline,
    [
      arena.uniform('recurrent.params', uniform),
      args.inputCurrent,
      args.recurrentWeights,
      layer.vThreshold,
      args.spikes,
      layer.stateV,
      layer.stateCount,
      membrane,
    ],
    // One workgroup per sample: `batch` items of one workgroup each.
    ctx.grid1d(batch, 1),
  );
}
