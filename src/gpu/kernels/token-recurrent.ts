import type { AnnActivation } from '../../model/spec';
import type { NeuronParams } from '../../reference/neuron';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';
import { ACTIVATION_CODE, activationConstants } from './activation';
import type { NeuronLayerBuffers } from './neuron';
import { hiddenCapacity } from './recurrent';
import { layerBeta, neuronModelCode } from './neuron';

const WORKGROUP_SIZE = 64;
const RESET_CODE = { soft: 0, hard: 1, none: 2 } as const;

/**
 * Records the token-recurrent layer (`shaders/token_recurrent.wgsl`) over a block of `positions`
 * positions, all `numSteps` steps of each (twin: `tokenRecurrentReference`). One workgroup per
 * sample. With `continues` the counts of the position before the block are read from `carry`
 * (otherwise they are 0); the counts of each sample's last valid position are written back to it,
 * for the next block. `layer` supplies the thresholds (its state buffers are not used: each
 * position starts from the initial state). Throws `GpuLimitError` beyond `MAX_RECURRENT_HIDDEN` units.
 */
export function recordTokenRecurrent(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    numSteps: number;
    batch: number;
    positions: number;
    hidden: number;
    params: NeuronParams;
    x: GPUBuffer;
    xBroadcast?: boolean;
    recurrentWeights: GPUBuffer;
    validPositions: GPUBuffer;
    carry: GPUBuffer;
    continues: boolean;
    spikes: GPUBuffer;
    layer: NeuronLayerBuffers;
    membrane?: GPUBuffer;
    activation?: AnnActivation;
  },
): void {
  const { params, hidden, activation } = args;
  const capacity = hiddenCapacity(hidden);
  if (activation && args.numSteps !== 1) throw new RangeError(`The ANN twin of a token-recurrent layer runs one step, not ${args.numSteps}.`);
  if (params.vThreshold.length !== 1 && params.vThreshold.length !== hidden) {
    throw new RangeError(`A token-recurrent layer needs 1 or ${hidden} thresholds, got ${params.vThreshold.length}.`);
  }
  const { maxLevel, step } = activationConstants(activation);
  const uniform = new UniformWriter()
    .u32(args.batch)
    .u32(args.positions)
    .u32(hidden)
    .u32(args.numSteps)
    .u32(params.vThreshold.length === 1 ? 0 : 1)
    .u32(args.continues ? 1 : 0)
    .u32(args.membrane ? 1 : 0)
    .u32(params.levels)
    .u32(args.xBroadcast ? 1 : 0)
    .u32(0)
    .u32(0)
    .u32(0)
    .f32(layerBeta(params))
    .f32(params.vReset)
    .f32(params.vInitFraction)
    .f32(step)
    .f32(maxLevel)
    .finish();
  const pipeline = ctx.pipeline('token_recurrent.wgsl', {
    WORKGROUP_SIZE,
    HIDDEN_CAPACITY: capacity,
    ANN_TWIN: activation ? 1 : 0,
    ACTIVATION_KIND: ACTIVATION_CODE[activation?.kind ?? 'relu'],
    NEURON_MODEL: neuronModelCode(params),
    RESET_MODE: RESET_CODE[params.reset],
  });
  const membrane = args.membrane ?? arena.scratch('tokenRecurrent.noMembrane', 16);
  ctx.dispatch(
    pass,
    pipeline,
    [
      arena.uniform('tokenRecurrent.params', uniform),
      args.x,
      args.recurrentWeights,
      args.layer.vThreshold,
      args.validPositions,
      args.carry,
      args.spikes,
      membrane,
    ],
    // One workgroup per sample.
    ctx.grid1d(args.batch, 1),
  );
}
