/**
 * The WebGPU executor of a NIR program (`compile.ts`), tested against the CPU reference
 * (`reference.ts`). Each step is one dispatch per node (plus the gathers of nodes with several
 * inputs) and a tick of the clock (`shaders/nir_clock.wgsl`); every bind group is made once, so a
 * step costs only its dispatches. Steps run in chunks: each chunk uploads its rows of input, runs
 * in one compute pass and reads back its traces.
 */
import { BufferArena, UniformWriter } from '../gpu/arena';
import type { GpuContext } from '../gpu/context';
import { checkNirInput, initialValues, traceLayout, type NirTrace } from './reference';
import { NIR_RESETS, nodeInputLength, type NirProgram } from './compile';

const WORKGROUP_SIZE = 64;
const MODE = { thisStep: 0, previousStep: 1, whole: 2, chunkRow: 3 } as const;
/** Bytes of input and trace a chunk may hold. */
const CHUNK_BYTES = 32 * 1024 * 1024;
/** Steps of one chunk at most (one command buffer). */
const MAX_CHUNK_STEPS = 2048;

interface Dispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number];
}

/** A node's recorded values in the chunk's trace buffer: `[steps][fields][size]`. */
interface Recorded {
  trace: number;
  node: number;
  fields: number;
  buffer: GPUBuffer;
}

/** Runs `program` for `steps` steps of `input` on the GPU. */
export async function runNirGpu(ctx: GpuContext, program: NirProgram, input: Float32Array, steps: number, options: { chunkSteps?: number } = {}): Promise<NirTrace> {
  checkNirInput(program, input, steps);
  const traces = traceLayout(program, steps);
  const nodes = program.nodes;
  const inputSize = nodes[program.input].size;
  const arena = new BufferArena(ctx.device, 'nir');
  try {
    const perStep = inputSize + traces.reduce((sum, t) => sum + t.size * ((t.v ? 1 : 0) + (t.spikes ? 1 : 0) + (t.current ? 1 : 0) + (t.output ? 1 : 0)), 0);
    const chunk = Math.max(1, Math.min(steps, options.chunkSteps ?? MAX_CHUNK_STEPS, Math.floor(CHUNK_BYTES / (4 * Math.max(1, perStep)))));
    const clock = arena.create('clock', 16, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const inputs = arena.scratch('input', 4 * chunk * inputSize);
    const outputs = nodes.map((n, k) => arena.scratch(`out.${k}`, 4 * 2 * n.size));
    // Step 0 reads the previous step from the odd half.
    initialValues(program).forEach((values, k) => ctx.device.queue.writeBuffer(outputs[k], 4 * nodes[k].size, values));
    const device = ctx.device;
    const bind = (pipeline: GPUComputePipeline, buffers: (GPUBuffer | null)[], label: string): GPUBindGroup =>
      device.createBindGroup({
        label,
        layout: pipeline.getBindGroupLayout(0),
        entries: buffers.flatMap((buffer, binding) => (buffer ? [{ binding, resource: { buffer } }] : [])),
      });
    const dispatches: Dispatch[] = [];
    const recorded: Recorded[] = [];
    const gather = (count: number, src: GPUBuffer, srcMode: number, dst: GPUBuffer, dstMode: number, accumulate: boolean, label: string) => {
      const pipeline = ctx.pipeline('nir_gather.wgsl', { WORKGROUP_SIZE });
      const uniform = arena.uniform(`${label}.params`, new UniformWriter().u32(count).u32(srcMode).u32(dstMode).u32(accumulate ? 1 : 0).finish());
      dispatches.push({ pipeline, bindGroup: bind(pipeline, [uniform, clock, src, dst], label), workgroups: ctx.grid1d(count, WORKGROUP_SIZE) });
    };

    nodes.forEach((node, k) => {
      const op = node.op;
      const label = `nir.${node.path}`;
      const count = nodeInputLength(node);
      // The node's input: one edge is read where it lies; several (or an edge from itself) are summed into a buffer first.
      let src: GPUBuffer;
      let srcMode: number;
      if (op.kind === 'input') {
        src = inputs;
        srcMode = MODE.chunkRow;
      } else if (node.inputs.length === 0) {
        src = arena.scratch(`${label}.zero`, 4 * count);
        srcMode = MODE.whole;
      } else if (node.inputs.length === 1 && node.inputs[0].source !== k) {
        src = outputs[node.inputs[0].source];
        srcMode = node.inputs[0].previous ? MODE.previousStep : MODE.thisStep;
      } else {
        src = arena.scratch(`${label}.input`, 4 * count);
        srcMode = MODE.whole;
        node.inputs.forEach((edge, e) => gather(count, outputs[edge.source], edge.previous ? MODE.previousStep : MODE.thisStep, src, MODE.whole, e > 0, `${label}.gather${e}`));
      }
      const dst = outputs[k];
      const grid = ctx.grid1d(node.size, WORKGROUP_SIZE);
      switch (op.kind) {
        case 'input':
        case 'identity':
          gather(node.size, src, srcMode, dst, MODE.thisStep, false, label);
          break;
        case 'affine': {
          const pipeline = ctx.pipeline('nir_affine.wgsl', { WORKGROUP_SIZE });
          const uniform = arena.uniform(`${label}.params`, new UniformWriter().u32(op.rows).u32(op.cols).u32(srcMode).u32(op.bias ? 1 : 0).finish());
          const bias = arena.storage(`${label}.bias`, op.bias ?? new Float32Array(1));
          dispatches.push({ pipeline, bindGroup: bind(pipeline, [uniform, clock, arena.storage(`${label}.weight`, op.weight), bias, src, dst], label), workgroups: grid });
          break;
        }
        case 'scale':
        case 'threshold': {
          const pipeline = ctx.pipeline('nir_elementwise.wgsl', { WORKGROUP_SIZE, OPERATION: op.kind === 'scale' ? 0 : 1 });
          const uniform = arena.uniform(`${label}.params`, new UniformWriter().u32(node.size).u32(srcMode).finish());
          const values = arena.storage(`${label}.values`, op.kind === 'scale' ? op.scale : op.threshold);
          dispatches.push({ pipeline, bindGroup: bind(pipeline, [uniform, clock, values, src, dst], label), workgroups: grid });
          break;
        }
        case 'conv': {
          const pipeline = ctx.pipeline('nir_conv.wgsl', { WORKGROUP_SIZE });
          const w = new UniformWriter();
          for (const x of [op.inChannels, op.outChannels, op.groups, op.inH, op.inW, op.outH, op.outW, op.kernelH, op.kernelW, op.strideH, op.strideW, op.padH, op.padW, op.dilationH, op.dilationW, srcMode]) w.u32(x);
          const uniform = arena.uniform(`${label}.params`, w.finish());
          const buffers = [uniform, clock, arena.storage(`${label}.weight`, op.weight), arena.storage(`${label}.bias`, op.bias), src, dst];
          dispatches.push({ pipeline, bindGroup: bind(pipeline, buffers, label), workgroups: grid });
          break;
        }
        case 'delay': {
          const pipeline = ctx.pipeline('nir_delay.wgsl', { WORKGROUP_SIZE });
          const uniform = arena.uniform(`${label}.params`, new UniformWriter().u32(node.size).u32(op.depth).u32(srcMode).u32(0).finish());
          const ring = arena.scratch(`${label}.ring`, 4 * node.size * op.depth);
          dispatches.push({ pipeline, bindGroup: bind(pipeline, [uniform, clock, arena.storage(`${label}.steps`, op.steps), ring, src, dst], label), workgroups: grid });
          break;
        }
        case 'neuron': {
          const fields = 1 + (op.spiking ? 1 : 0) + (op.synaptic ? 1 : 0);
          const pipeline = ctx.pipeline('nir_neuron.wgsl', {
            WORKGROUP_SIZE,
            SPIKING: op.spiking ? 1 : 0,
            SYNAPTIC: op.synaptic ? 1 : 0,
            RESET: NIR_RESETS.indexOf(program.reset),
          });
          const uniform = arena.uniform(`${label}.params`, new UniformWriter().u32(node.size).u32(srcMode).u32(fields).u32(0).finish());
          const state = arena.scratch(`${label}.state`, 4 * 2 * node.size);
          const trace = arena.scratch(`${label}.trace`, 4 * chunk * fields * node.size);
          recorded.push({ trace: traces.findIndex((t) => t.path === node.path), node: k, fields, buffer: trace });
          dispatches.push({ pipeline, bindGroup: bind(pipeline, [uniform, clock, arena.storage(`${label}.neuron`, op.params), state, src, dst, trace], label), workgroups: grid });
          break;
        }
      }
      if (program.outputs.includes(k)) {
        const trace = arena.scratch(`${label}.output`, 4 * chunk * node.size);
        recorded.push({ trace: traces.findIndex((t) => t.path === node.path), node: k, fields: 1, buffer: trace });
        gather(node.size, dst, MODE.thisStep, trace, MODE.chunkRow, false, `${label}.record`);
      }
    });
    const tickPipeline = ctx.pipeline('nir_tick.wgsl');
    dispatches.push({ pipeline: tickPipeline, bindGroup: bind(tickPipeline, [clock], 'nir.tick'), workgroups: [1, 1] });

    for (let t0 = 0; t0 < steps; t0 += chunk) {
      ctx.assertAlive();
      const count = Math.min(chunk, steps - t0);
      device.queue.writeBuffer(clock, 0, new Uint32Array([0, t0, 0, 0]));
      device.queue.writeBuffer(inputs, 0, input.buffer, input.byteOffset + 4 * t0 * inputSize, 4 * count * inputSize);
      const encoder = device.createCommandEncoder({ label: 'nir.chunk' });
      const pass = encoder.beginComputePass({ label: 'nir.steps' });
      for (let t = 0; t < count; t++) {
        for (const d of dispatches) {
          pass.setPipeline(d.pipeline);
          pass.setBindGroup(0, d.bindGroup);
          pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
        }
      }
      pass.end();
      const read = await ctx.readBack(
        recorded.map((r) => ({ buffer: r.buffer, byteLength: 4 * count * r.fields * nodes[r.node].size })),
        encoder,
      );
      recorded.forEach((r, j) => {
        const target = traces[r.trace];
        const n = target.size;
        const values = read[j];
        for (let t = 0; t < count; t++) {
          const row = values.subarray(t * r.fields * n, (t + 1) * r.fields * n);
          const at = (t0 + t) * n;
          if (nodes[r.node].op.kind !== 'neuron') {
            target.output!.set(row, at);
            continue;
          }
          let field = 0;
          target.v!.set(row.subarray(0, n), at);
          if (target.spikes) target.spikes.set(row.subarray(++field * n, (field + 1) * n), at);
          if (target.current) target.current.set(row.subarray(++field * n, (field + 1) * n), at);
        }
      });
    }
    return { dt: program.dt, steps, reset: program.reset, nodes: traces };
  } finally {
    arena.destroy();
  }
}
