import { checkConvShape, convChannelsOf, convPositionsOf, convBranchWeightOffsets, type ConvShape } from '../../reference/conv';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

export type { ConvShape } from '../../reference/conv';

const WORKGROUP_SIZE = 64;
/** The register block of `shaders/conv.wgsl`: windows (output positions) and filters per thread. */
const WINDOWS_PER_THREAD = 16;
const FILTERS_PER_THREAD = 20;

/**
 * Records the inference convolution over token positions (`shaders/conv.wgsl`) for rows
 * [rowStart, rowStart + rowCount): `output[r][j][b·filters + f]` as in `convReference`, masked outputs
 * written as 0. Other rows of `output` are left as they are, so one dispatch per time step fills it
 * step by step. Buffers hold the whole tensors (`[rows][tokens][inChannels]` in,
 * `[rows][positions][channels]` out); `bias` null means no bias.
 *
 * One dispatch per branch (width), so that the width is uniform within a dispatch: each thread
 * computes 16 consecutive output positions (running on across rows) × 20 filters in registers.
 */
export function recordConv(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    shape: ConvShape;
    rowStart: number;
    rowCount: number;
    input: GPUBuffer;
    weights: GPUBuffer;
    bias: GPUBuffer | null;
    lengths: GPUBuffer;
    output: GPUBuffer;
  },
): void {
  const { shape, rowStart, rowCount } = args;
  checkConvShape(shape);
  if (!Number.isInteger(rowStart) || !Number.isInteger(rowCount) || rowStart < 0 || rowCount < 0 || rowStart + rowCount > shape.rows) {
    throw new RangeError(`conv: rows [${rowStart}, ${rowStart + rowCount}) are outside [0, ${shape.rows}).`);
  }
  const positions = convPositionsOf(shape);
  if (rowCount === 0 || positions === 0 || shape.filters === 0) return;
  const offsets = convBranchWeightOffsets(shape);
  const filterBlocks = Math.ceil(shape.filters / FILTERS_PER_THREAD);
  const pipeline = ctx.pipeline('conv.wgsl', { WORKGROUP_SIZE });
  const bias = args.bias ?? arena.scratch('conv.noBias', 16);
  shape.widths.forEach((width, branch) => {
    // A branch wider than the sentence computes one (masked) position per row, to zero the rest.
    const computedPositions = Math.min(positions, Math.max(1, shape.tokens - width + 1));
    const uniform = new UniformWriter()
      .u32(rowStart)
      .u32(rowCount)
      .u32(shape.batch)
      .u32(shape.tokens)
      .u32(shape.inChannels)
      .u32(shape.filters)
      .u32(positions)
      .u32(convChannelsOf(shape))
      .u32(width)
      .u32(computedPositions)
      .u32(offsets[branch])
      .u32(branch * shape.filters)
      .u32(filterBlocks)
      .u32(args.bias ? 1 : 0)
      .u32(0)
      .u32(0)
      .finish();
    const threads = Math.ceil((rowCount * computedPositions) / WINDOWS_PER_THREAD) * filterBlocks;
    ctx.dispatch(
      pass,
      pipeline,
      [arena.uniform(`conv.branch${branch}.params`, uniform), args.input, args.weights, bias, args.lengths, args.output],
      ctx.grid1d(threads, WORKGROUP_SIZE),
    );
  });
}
