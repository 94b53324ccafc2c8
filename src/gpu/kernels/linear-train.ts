import type { LinearTrainShape } from '../../reference/linear-train';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

function record(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  mode: number,
  shape: LinearTrainShape,
  hasBias: boolean,
  buffers: [GPUBuffer, GPUBuffer, GPUBuffer | null, GPUBuffer],
  threads: number,
): void {
  const uniform = new UniformWriter().u32(shape.rows).u32(shape.inFeatures).u32(shape.outFeatures).u32(hasBias ? 1 : 0).finish();
  const [a, b, c, out] = buffers;
  ctx.dispatch(
    pass,
    ctx.pipeline('linear_train.wgsl', { WORKGROUP_SIZE, LINEAR_MODE: mode }),
    [arena.uniform(`linearTrain${mode}.params`, uniform), a, b, c ?? arena.scratch('linearTrain.unused', 16), out],
    ctx.grid1d(threads, WORKGROUP_SIZE),
  );
}

/** `output = input · Wᵀ (+ bias)` (`shaders/linear_train.wgsl`, mode 0). */
export function recordLinearForwardTrain(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { shape: LinearTrainShape; input: GPUBuffer; weights: GPUBuffer; bias: GPUBuffer | null; output: GPUBuffer },
): void {
  const { shape } = args;
  record(ctx, pass, arena, 0, shape, args.bias !== null, [args.input, args.weights, args.bias, args.output], shape.rows * shape.outFeatures);
}

/** `gradWeights = dyᵀ · x` and, if given, `gradBias = Σ_r dy` (modes 1 and 3). */
export function recordLinearWeightBackward(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { shape: LinearTrainShape; input: GPUBuffer; gradOutput: GPUBuffer; gradWeights: GPUBuffer; gradBias: GPUBuffer | null },
): void {
  const { shape } = args;
  record(ctx, pass, arena, 1, shape, false, [args.input, args.gradOutput, null, args.gradWeights], shape.outFeatures * shape.inFeatures);
  if (args.gradBias) record(ctx, pass, arena, 3, shape, false, [args.gradOutput, args.gradOutput, null, args.gradBias], shape.outFeatures);
}

/** `gradInput = dy · W` (mode 2). */
export function recordLinearInputBackward(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { shape: LinearTrainShape; weights: GPUBuffer; gradOutput: GPUBuffer; gradInput: GPUBuffer },
): void {
  const { shape } = args;
  record(ctx, pass, arena, 2, shape, false, [args.gradOutput, args.weights, null, args.gradInput], shape.rows * shape.inFeatures);
}
