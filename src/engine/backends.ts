import { BufferArena } from '../gpu/arena';
import { BufferPool } from '../gpu/buffer-pool';
import { adapterLabel, GpuContext } from '../gpu/context';
import { GpuDeviceLostError } from '../gpu/errors';
import type { NetworkSpec } from '../model/spec';
import type { PreparedBatch } from './batch';
import { CpuOps, type CpuTensor } from './cpu-ops';
import { executeAll, type ExecuteOptions, type RawOutput, type ResidentModel, type RunControl } from './executor';
import { GpuOps, type GpuTensor } from './gpu-ops';
import { WasmOps } from './wasm-ops';
import { kernelMemory, wasmUnavailableReason } from '../wasm/runtime';
import { kernelWeights } from './resident';

/** What a backend needs of a model: its network, firing probabilities and weights. */
export interface RunnableModel {
  spec: NetworkSpec;
  probabilities: Float32Array;
  weights: Map<string, Float32Array>;
}

export interface BackendRun {
  /** One output per requested run, in order. */
  raws: RawOutput[];
  computeMs: number;
  gpuMs?: number;
}

/** One interface, a CPU and a GPU implementation (no `if backend` in model code). */
export interface Backend {
  readonly kind: 'gpu' | 'cpu';
  /** The adapter's name, or why the CPU runs. */
  readonly detail: string;
  /** Bytes one buffer may hold. */
  readonly maxBufferBytes: number;
  /** Runs every entry of `runs` (e.g. the SNN and its ANN twin) in one submission, read back once; `control` follows and stops a long one. */
  run(model: RunnableModel, batch: PreparedBatch, runs: ExecuteOptions[], control?: RunControl): Promise<BackendRun>;
  dispose(): void;
}

/** The CPU reference as a backend: the fallback where WebGPU is missing. */
export class CpuBackend implements Backend {
  readonly kind = 'cpu';
  readonly maxBufferBytes = 256 * 1024 * 1024;
  private resident = new WeakMap<RunnableModel, ResidentModel<CpuTensor>>();

  /** `makeOps` gives the ops of one run: the reference's (default) or the WebAssembly kernels' (`WasmOps`). */
  constructor(
    readonly detail: string,
    private readonly makeOps: () => CpuOps = () => new CpuOps(),
  ) {}

  async run(model: RunnableModel, batch: PreparedBatch, runs: ExecuteOptions[], control?: RunControl): Promise<BackendRun> {
    let resident = this.resident.get(model);
    if (!resident) {
      resident = { spec: model.spec, probabilities: model.probabilities, weights: kernelWeights(model.spec, model.weights) };
      this.resident.set(model, resident);
    }
    const started = performance.now();
    const ops = this.makeOps();
    try {
      const raws = await executeAll(ops, resident, batch, runs, control);
      return { raws, computeMs: performance.now() - started };
    } finally {
      ops.dispose();
    }
  }

  dispose(): void {}
}

/** WebGPU as a backend. Model weights are uploaded once per model and device. */
export class GpuBackend implements Backend {
  readonly kind = 'gpu';
  readonly detail: string;
  readonly maxBufferBytes: number;
  private resident = new Map<RunnableModel, { arena: BufferArena; model: ResidentModel<GpuTensor> }>();
  /** Per-run buffers, kept between runs. */
  private readonly pool: BufferPool;

  constructor(readonly ctx: GpuContext) {
    this.pool = new BufferPool(ctx.device);
    this.detail = adapterLabel(ctx.adapter);
    this.maxBufferBytes = Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize, 256 * 1024 * 1024);
  }

  async run(model: RunnableModel, batch: PreparedBatch, runs: ExecuteOptions[], control?: RunControl): Promise<BackendRun> {
    this.ctx.assertAlive();
    const resident = this.upload(model);
    const started = performance.now();
    const ops = new GpuOps(this.ctx, this.pool);
    try {
      const raws = await executeAll(ops, resident, batch, runs, control);
      return { raws, computeMs: performance.now() - started, gpuMs: ops.gpuNanoseconds !== undefined ? ops.gpuNanoseconds / 1e6 : undefined };
    } catch (error) {
      if (this.ctx.isLost) throw new GpuDeviceLostError(`The GPU device was lost during the run (${this.ctx.lostReason}).`);
      throw error;
    } finally {
      ops.dispose();
    }
  }

  private upload(model: RunnableModel): ResidentModel<GpuTensor> {
    const cached = this.resident.get(model);
    if (cached) return cached.model;
    const arena = new BufferArena(this.ctx.device, 'model');
    const tensor = (role: string, data: Float32Array): GpuTensor => ({ buffer: arena.storage(role, data), length: data.length });
    const weights = new Map<string, GpuTensor>();
    for (const [name, data] of kernelWeights(model.spec, model.weights)) weights.set(name, tensor(name, data));
    const resident = { spec: model.spec, probabilities: tensor('probabilities', model.probabilities), weights };
    // One model resident at a time: a new one releases the previous one's buffers.
    this.releaseModels();
    this.resident.set(model, { arena, model: resident });
    return resident;
  }

  private releaseModels(): void {
    for (const { arena } of this.resident.values()) arena.destroy();
    this.resident.clear();
  }

  dispose(): void {
    this.releaseModels();
    this.pool.destroy();
    this.ctx.destroy();
  }
}

/**
 * The CPU backend for a choice: `cpu` the WebAssembly SIMD kernels (on helper threads where the
 * memory can be shared), or the reference where this engine lacks WebAssembly SIMD; `reference`
 * the reference itself. `why` is said in the detail (e.g. why the GPU is not used).
 */
export function createCpuBackend(choice: 'cpu' | 'reference', why = ''): CpuBackend {
  const suffix = why ? ` (${why})` : '';
  if (choice === 'cpu') {
    const memory = kernelMemory();
    if (memory) {
      const threads = memory.threads;
      return new CpuBackend(`WebAssembly SIMD, ${threads} thread${threads === 1 ? '' : 's'}${suffix}`, () => new WasmOps());
    }
    return new CpuBackend(`CPU reference (${[wasmUnavailableReason(), why].filter(Boolean).join('; ')})`);
  }
  return new CpuBackend(why ? `CPU reference (${why})` : 'CPU reference');
}
