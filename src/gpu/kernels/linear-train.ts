import type { LinearTrainShape } from '../../reference/linear-train';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/** The gradient modes of `shaders/linear_train.wgsl`; the forward pass is `recordLinear`. */
const LinearTrainMode = { WeightGradient: 1, InputGradient: 2, BiasGradient: 3 } as const;

function record(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  mode: (typeof LinearTrainMode)[keyof typeof LinearTrainMode],
  shape: LinearTrainShape,
  buffers: [GPUBuffer, GPUBuffer, GPUBuffer],
  threads: number,
): void {
  const uniform = new UniformWriter().u32(shape.rows).u32(shape.inFeatures).u32(shape.outFeatures).u32(0).finish();
  ctx.dispatch(
    pass,
    ctx.pipeline('linear_train.wgsl', { WORKGROUP_SIZE, LINEAR_MODE: mode }),
    [arena.uniform(`linearTrain${mode}.params`, uniform), ...buffers],
    ctx.grid1d(threads, WORKGROUP_SIZE),
  );
}

/** `gradWeights = dyᵀ · x` and, if given, `gradBias = Σ_r dy` (modes 1 and 3). */
export function recordLinearWeightBackward(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { shape: LinearTrainShape; input: GPUBuffer; gradOutput: GPUBuffer; gradWeights: GPUBuffer; gradBias: GPUBuffer | null },
): void {
  const { shape } = args;
  record(ctx, pass, arena, LinearTrainMode.WeightGradient, shape, [args.input, args.gradOutput, args.gradWeights], shape.outFeatures * shape.inFeatures);
  if (args.gradBias) record(ctx, pass, arena, LinearTrainMode.BiasGradient, shape, [args.gradOutput, args.gradOutput, args.gradBias], shape.outFeatures);
}

/**
 * `gradWeights = dyᵀ · x` by 4 × 4 register blocks (`shaders/weight_gradient.wgsl`), for layers with
 * many rows whose feature counts are multiples of 4 (`blockedWeightGradientFits`); the same sums, in
 * the same order, as `recordLinearWeightBackward`.
 */
export function recordBlockedWeightGradient(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { shape: LinearTrainShape; input: GPUBuffer; gradOutput: GPUBuffer; gradWeights: GPUBuffer },
): void {
  const { shape } = args;
  if (!blockedWeightGradientFits(shape)) throw new RangeError(`weight gradient blocks need feature counts that are multiples of 4, got ${shape.inFeatures} in, ${shape.outFeatures} out`);
  const uniform = new UniformWriter().u32(shape.rows).u32(shape.inFeatures / 4).u32(shape.outFeatures / 4).u32(0).finish();
  ctx.dispatch(
    pass,
    ctx.pipeline('weight_gradient.wgsl', { WORKGROUP_SIZE }),
    [arena.uniform('weightGradient.params', uniform), args.input, args.gradOutput, args.gradWeights],
    ctx.grid1d((shape.inFeatures / 4) * (shape.outFeatures / 4), WORKGROUP_SIZE),
  );
}

/** Whether `recordBlockedWeightGradient` takes a shape: both feature counts multiples of 4. */
export function blockedWeightGradientFits(shape: LinearTrainShape): boolean {
  return shape.inFeatures % 4 === 0 && shape.outFeatures % 4 === 0;
}

/** `gradInput = dy · W` (mode 2). */
export function recordLinearInputBackward(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { shape: LinearTrainShape; weights: GPUBuffer; gradOutput: GPUBuffer; gradInput: GPUBuffer },
): void {
  const { shape } = args;
  record(ctx, pass, arena, LinearTrainMode.InputGradient, shape, [args.gradOutput, args.weights, args.gradInput], shape.rows * shape.inFeatures);
}
