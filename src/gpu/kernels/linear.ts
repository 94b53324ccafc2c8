import { checkLinearShape } from '../../reference/linear';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;
/** The register block of `shaders/linear.wgsl`: rows and outputs per thread. */
const ROWS_PER_THREAD = 16;
const OUTPUTS_PER_THREAD = 20;

/**
 * Records the fully connected layer (`shaders/linear.wgsl`) for rows [rowStart, rowStart + rowCount):
 * `output[r][o] = Σ_i weights[o][i] · input[r][i] (+ bias[o])`, in the order of `linearReference`.
 * Other rows of `output` are left as they are, so one dispatch per time step fills it step by step.
 * Buffers hold the whole tensors (`[rows][inFeatures]` in, `[rows][outFeatures]` out); `bias` null
 * means no bias. Each thread computes 16 rows × 20 outputs in registers.
 */
export function recordLinear(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    rows: number;
    rowStart: number;
    rowCount: number;
    inFeatures: number;
    outFeatures: number;
    input: GPUBuffer;
    weights: GPUBuffer;
    bias: GPUBuffer | null;
    output: GPUBuffer;
  },
): void {
  const { rows, rowStart, rowCount, inFeatures, outFeatures } = args;
  checkLinearShape(rows, inFeatures, outFeatures);
  if (!Number.isInteger(rowStart) || !Number.isInteger(rowCount) || rowStart < 0 || rowCount < 0 || rowStart + rowCount > rows) {
    throw new RangeError(`linear: rows [${rowStart}, ${rowStart + rowCount}) are outside [0, ${rows}).`);
  }
  if (rowCount === 0 || outFeatures === 0) return;
  const outputBlocks = Math.ceil(outFeatures / OUTPUTS_PER_THREAD);
  const uniform = new UniformWriter()
    .u32(rowStart)
    .u32(rowCount)
    .u32(inFeatures)
    .u32(outFeatures)
    .u32(outputBlocks)
    .u32(args.bias ? 1 : 0)
    .u32(0)
    .u32(0)
    .finish();
  const bias = args.bias ?? arena.scratch('linear.noBias', 16);
  ctx.dispatch(
    pass,
    ctx.pipeline('linear.wgsl', { WORKGROUP_SIZE }),
    [arena.uniform('linear.params', uniform), args.input, args.weights, bias, args.output],
    ctx.grid1d(Math.ceil(rowCount / ROWS_PER_THREAD) * outputBlocks, WORKGROUP_SIZE),
  );
}
