import { convTrainPositions, convWeightOffsets, type ConvTrainShape } from '../../reference/conv-train';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;
const BLOCK = 4;

/**
 * `[branch][3]` for the kernels: width, offset of the branch's weights, and (weight gradient) the
 * first thread of the branch.
 */
function branchInfo(shape: ConvTrainShape): { info: Uint32Array; threads: number } {
  const { offsets } = convWeightOffsets(shape);
  const info = new Uint32Array(shape.widths.length * 3);
  let threads = 0;
  shape.widths.forEach((width, k) => {
    info.set([width, offsets[k], threads], 3 * k);
    threads += Math.ceil(shape.filters / BLOCK) * width * Math.ceil(shape.inChannels / BLOCK);
  });
  return { info, threads };
}

interface ConvBuffers {
  lengths: GPUBuffer;
}

/** The leading fields both backward kernels' `Params` share: the convolution's shape. */
function shapeUniform(shape: ConvTrainShape): UniformWriter {
  return new UniformWriter()
    .u32(shape.batch)
    .u32(shape.tokens)
    .u32(convTrainPositions(shape))
    .u32(shape.inChannels)
    .u32(shape.filters)
    .u32(shape.widths.length);
}

/** Records the weight gradient (`shaders/conv_weight_backward.wgsl`): `gradWeights = Σ dZ ⊗ X` (overwritten). */
export function recordConvWeightBackward(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: ConvBuffers & { shape: ConvTrainShape; input: GPUBuffer; gradOutput: GPUBuffer; gradWeights: GPUBuffer },
): void {
  const { shape } = args;
  const { info, threads } = branchInfo(shape);
  const uniform = shapeUniform(shape)
    .u32(Math.ceil(shape.filters / BLOCK))
    .u32(Math.ceil(shape.inChannels / BLOCK))
    .u32(threads)
    .finish();
  ctx.dispatch(
    pass,
    ctx.pipeline('conv_weight_backward.wgsl', { WORKGROUP_SIZE }),
    [arena.uniform('convWeightBackward.params', uniform), args.input, args.gradOutput, arena.storage('convWeightBackward.branches', info), args.lengths, args.gradWeights],
    ctx.grid1d(threads, WORKGROUP_SIZE),
  );
}

/** Records the input gradient (`shaders/conv_input_backward.wgsl`): `gradInput = Σ dZ · W` (overwritten). */
export function recordConvInputBackward(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: ConvBuffers & { shape: ConvTrainShape; weights: GPUBuffer; gradOutput: GPUBuffer; gradInput: GPUBuffer },
): void {
  const { shape } = args;
  const tokenBlocks = Math.ceil(shape.tokens / BLOCK);
  const channelBlocks = Math.ceil(shape.inChannels / BLOCK);
  const uniform = shapeUniform(shape)
    .u32(tokenBlocks)
    .u32(channelBlocks)
    .finish();
  ctx.dispatch(
    pass,
    ctx.pipeline('conv_input_backward.wgsl', { WORKGROUP_SIZE }),
    [arena.uniform('convInputBackward.params', uniform), args.weights, args.gradOutput, arena.storage('convInputBackward.branches', branchInfo(shape).info), args.lengths, args.gradInput],
    ctx.grid1d(shape.batch * tokenBlocks * channelBlocks, WORKGROUP_SIZE),
  );
}
