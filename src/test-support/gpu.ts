import { BufferArena } from '../gpu/arena';
import { adapterLabel, GpuContext } from '../gpu/context';
import { nodeGpu } from '../gpu/node-gpu';

let shared: Promise<GpuContext> | null = null;

/**
 * The GPU context for tests: a real WebGPU adapter (SwiftShader on a machine without a GPU).
 * A missing adapter throws, failing the test: GPU tests never skip.
 */
export function testGpu(): Promise<GpuContext> {
  shared ??= (async () => {
    const ctx = await GpuContext.create(await nodeGpu());
    console.info(`[gpu] tests run on ${adapterLabel(ctx.adapter)}`);
    return ctx;
  })();
  return shared;
}

/**
 * Runs `record` in one compute pass of one command buffer, then reads `outputs` back once.
 * The arena is destroyed afterwards.
 */
export async function runOnGpu(
  ctx: GpuContext,
  record: (pass: GPUComputePassEncoder, arena: BufferArena) => { buffer: GPUBuffer; byteLength: number }[],
): Promise<Float32Array[]> {
  const arena = new BufferArena(ctx.device, 'test');
  try {
    const encoder = ctx.device.createCommandEncoder({ label: 'test' });
    const pass = encoder.beginComputePass({ label: 'test' });
    const outputs = record(pass, arena);
    pass.end();
    return await ctx.readBack(outputs, encoder);
  } finally {
    arena.destroy();
  }
}

/**
 * A view of `ctx` whose per-dimension workgroup limit is 2, so that small dispatches fold into a
 * 2-D grid as real ones do past 65535 workgroups; `grids` records the grids it handed out.
 */
export function foldingContext(ctx: GpuContext): { folding: GpuContext; grids: [number, number][] } {
  const grids: [number, number][] = [];
  const folding = Object.create(ctx, {
    limits: { value: { maxComputeWorkgroupsPerDimension: 2 } },
    grid1d: {
      value(this: GpuContext, items: number, workgroupSize: number) {
        grids.push(GpuContext.prototype.grid1d.call(this, items, workgroupSize));
        return grids[grids.length - 1];
      },
    },
  }) as GpuContext;
  return { folding, grids };
}
