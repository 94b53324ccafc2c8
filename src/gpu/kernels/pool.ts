import type { PoolShape } from '../../reference/pool';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

export type { PoolShape } from '../../reference/pool';

const WORKGROUP_SIZE = 64;
const OPERATION_CODE = { sum: 0, scaleRows: 1 } as const;

function checkRowRange(kernel: string, rows: number, rowStart: number, rowCount: number): void {
  if (rowStart < 0 || rowCount < 0 || rowStart + rowCount > rows) {
    throw new RangeError(`${kernel}: rows [${rowStart}, ${rowStart + rowCount}) are outside [0, ${rows}).`);
  }
}

function poolUniform(rowStart: number, rowCount: number, batch: number, positions: number, channels: number, accumulate: boolean): ArrayBuffer {
  return new UniformWriter()
    .u32(rowStart)
    .u32(rowCount)
    .u32(batch)
    .u32(positions)
    .u32(channels)
    .u32(accumulate ? 1 : 0)
    .u32(0)
    .u32(0)
    .finish();
}

/**
 * Records the sum over positions (`shaders/pool.wgsl`) of rows [rowStart, rowStart + rowCount):
 * `output[r][c] (+)= Σ_{j < valid} input[r][j][c]`, where `validPositions` (a Uint32Array `[batch][channels]`)
 * gives the leading positions that count. With `accumulate` the sums are added onto `output`, so a
 * sentence can be pooled in chunks of positions. Other rows of `output` are left as they are.
 */
export function recordPoolSum(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { shape: PoolShape; rowStart: number; rowCount: number; input: GPUBuffer; validPositions: GPUBuffer; output: GPUBuffer; accumulate: boolean },
): void {
  const { rows, batch, positions, channels } = args.shape;
  checkRowRange('poolSum', rows, args.rowStart, args.rowCount);
  const uniform = poolUniform(args.rowStart, args.rowCount, batch, positions, channels, args.accumulate);
  const pipeline = ctx.pipeline('pool.wgsl', { WORKGROUP_SIZE, POOL_OPERATION: OPERATION_CODE.sum });
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('poolSum.params', uniform), args.input, args.validPositions, args.output],
    ctx.grid1d(args.rowCount * channels, WORKGROUP_SIZE),
  );
}

/**
 * Records `values[r][c] *= scale[r % batch][c]` in place for rows [rowStart, rowStart + rowCount)
 * (`shaders/pool.wgsl`, scale rows): turns pooled sums into averages with `scale = fround(1 / count)`.
 */
export function recordScaleRows(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { rows: number; rowStart: number; rowCount: number; batch: number; channels: number; values: GPUBuffer; scale: GPUBuffer },
): void {
  checkRowRange('scaleRows', args.rows, args.rowStart, args.rowCount);
  const uniform = poolUniform(args.rowStart, args.rowCount, args.batch, 0, args.channels, false);
  const pipeline = ctx.pipeline('pool.wgsl', { WORKGROUP_SIZE, POOL_OPERATION: OPERATION_CODE.scaleRows });
  const unusedValidPositions = arena.scratch('scaleRows.noValidPositions', 16);
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('scaleRows.params', uniform), args.scale, unusedValidPositions, args.values],
    ctx.grid1d(args.rowCount * args.channels, WORKGROUP_SIZE),
  );
}
