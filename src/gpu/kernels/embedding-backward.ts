import type { OccurrenceGroups } from '../../reference/embedding-backward';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

const WORKGROUP_SIZE = 64;

/** `gradTable[row] = Σ gradInput[occurrences of row]` for the rows of the batch (`shaders/embedding_backward.wgsl`). */
export function recordEmbeddingBackward(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: { groups: OccurrenceGroups; dim: number; gradInput: GPUBuffer; gradTable: GPUBuffer },
): void {
  const rows = args.groups.rows.length;
  if (rows === 0) return;
  const uniform = new UniformWriter().u32(rows).u32(args.dim).u32(0).u32(0).finish();
  ctx.dispatch(
    pass,
    ctx.pipeline('embedding_backward.wgsl', { WORKGROUP_SIZE }),
    [
      arena.uniform('embeddingBackward.params', uniform),
      arena.storage('embeddingBackward.rows', args.groups.rows),
      arena.storage('embeddingBackward.offsets', args.groups.offsets),
      arena.storage('embeddingBackward.occurrences', args.groups.occurrences.length > 0 ? args.groups.occurrences : new Uint32Array(1)),
      args.gradInput,
      args.gradTable,
    ],
    ctx.grid1d(rows * args.dim, WORKGROUP_SIZE),
  );
}
