import type { TrainActivation } from '../../reference/activation-train';
import { checkTokenRecurrentHidden, type TokenRecurrentTrainShape } from '../../reference/token-recurrent-train';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';
import { GpuLimitError } from '../errors';

/** Threads per workgroup: groups of four hidden units. */
const WORKGROUP_SIZE = 32;
/** Samples a workgroup takes in lockstep (`SAMPLES` of the shaders). */
const SAMPLES_PER_WORKGROUP = 4;
const KIND_CODE = { relu: 0, identity: 1, quant: 2 } as const;

/** The largest hidden size of the training kernels: 2 × 4 samples × hidden floats of workgroup memory. */
export const MAX_TOKEN_RECURRENT_TRAIN_HIDDEN = 256;

/** Groups of four units the pipeline's workgroup memory holds: a power of two, at least 16. */
function groupCapacity(hidden: number): number {
  checkTokenRecurrentHidden(hidden);
  if (hidden > MAX_TOKEN_RECURRENT_TRAIN_HIDDEN) {
    throw new GpuLimitError(`A recurrent layer of ${hidden} units is too large for the training kernels (at most ${MAX_TOKEN_RECURRENT_TRAIN_HIDDEN}).`);
  }
  let capacity = 16;
  while (capacity * 4 < hidden) capacity *= 2;
  return capacity;
}

function workgroups(ctx: GpuContext, batch: number): [number, number] {
  return ctx.grid1d(Math.ceil(batch / SAMPLES_PER_WORKGROUP), 1);
}

function maxLevel(activation: TrainActivation): number {
  return activation.kind === 'quant' ? activation.levels - 1 : 0;
}

/**
 * The forward pass of the recurrent layer of a quantised RNN over tokens
 * (`shaders/token_recurrent_forward.wgsl`, twin `tokenRecurrentForwardTrainReference`): writes the
 * pre-activations u, the outputs y and y_{p−1} at row p (`previous`), zeros past each sample's length.
 * U is given transposed; one workgroup per four samples.
 */
export function recordTokenRecurrentForwardTrain(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    shape: TokenRecurrentTrainShape;
    activation: TrainActivation;
    step: GPUBuffer;
    input: GPUBuffer;
    transposedRecurrentWeights: GPUBuffer;
    lengths: GPUBuffer;
    preActivation: GPUBuffer;
    output: GPUBuffer;
    previous: GPUBuffer;
  },
): void {
  const { batch, positions, hidden } = args.shape;
  const uniform = new UniformWriter().u32(batch).u32(positions).u32(hidden).f32(maxLevel(args.activation)).finish();
  const pipeline = ctx.pipeline('token_recurrent_forward.wgsl', {
    WORKGROUP_SIZE,
    GROUP_CAPACITY: groupCapacity(hidden),
    ACTIVATION_KIND: KIND_CODE[args.activation.kind],
  });
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('tokenRecurrentForwardTrain.params', uniform), args.step, args.input, args.transposedRecurrentWeights, args.lengths, args.preActivation, args.output, args.previous],
    workgroups(ctx, batch),
  );
}

/**
 * Backward through time (`shaders/token_recurrent_backward.wgsl`, twin
 * `tokenRecurrentBackwardTrainReference`): `gradInput` = du from dy (`gradOutput`) and, for the
 * quantiser, `gradStep[0]` = the scaled step gradient (a second dispatch sums the per-sample partials).
 */
export function recordTokenRecurrentBackwardTrain(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    shape: TokenRecurrentTrainShape;
    activation: TrainActivation;
    step: GPUBuffer;
    preActivation: GPUBuffer;
    transposedRecurrentWeights: GPUBuffer;
    lengths: GPUBuffer;
    gradOutput: GPUBuffer;
    gradInput: GPUBuffer;
    gradStep: GPUBuffer | null;
    stepGradScale: number;
  },
): void {
  const { batch, positions, hidden } = args.shape;
  const uniform = new UniformWriter().u32(batch).u32(positions).u32(hidden).f32(maxLevel(args.activation)).f32(args.stepGradScale).finish();
  const params = arena.uniform('tokenRecurrentBackwardTrain.params', uniform);
  const partials = arena.scratch('tokenRecurrentBackwardTrain.partials', Math.max(16, batch * hidden * 4));
  const constants = { WORKGROUP_SIZE, GROUP_CAPACITY: groupCapacity(hidden), ACTIVATION_KIND: KIND_CODE[args.activation.kind] };
  const inputs = [params, args.step, args.preActivation, args.transposedRecurrentWeights, args.lengths, args.gradOutput];
  ctx.dispatch(pass, ctx.pipeline('token_recurrent_backward.wgsl', { ...constants, TRAIN_MODE: 0 }), [...inputs, args.gradInput, partials], workgroups(ctx, batch));
  if (args.gradStep) {
    ctx.dispatch(pass, ctx.pipeline('token_recurrent_backward.wgsl', { ...constants, TRAIN_MODE: 1 }), [...inputs, args.gradStep, partials], [1]);
  }
}
