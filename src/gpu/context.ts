import { GpuDeviceLostError, GpuLimitError, GpuUnavailableError } from './errors';
import { shaderSource } from './shaders';

/** What the adapter says about itself, for results, benchmarks and the UI. */
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  features: string[];
}

/** Limits below which the engine refuses a device (WebGPU's guaranteed minimums are enough). */
const REQUIRED_LIMITS = {
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupSizeX: 256,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupStorageSize: 16384,
} as const;

export function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    features: [...adapter.features].map(String).sort(),
  };
}

/** A CPU implementation of WebGPU (SwiftShader, llvmpipe/lavapipe), slower than the WebAssembly CPU backend. */
export function isSoftwareAdapter(adapter: AdapterDescription): boolean {
  return /swiftshader|llvmpipe|lavapipe|software/i.test(`${adapter.vendor} ${adapter.architecture} ${adapter.device} ${adapter.description}`);
}

/** One line naming the adapter, e.g. `google swiftshader (SwiftShader driver 5.0.0)`. */
export function adapterLabel(adapter: AdapterDescription): string {
  const name = [adapter.vendor, adapter.architecture, adapter.device].filter(Boolean).join(' ') || 'unknown adapter';
  return adapter.description ? `${name} (${adapter.description})` : name;
}

/**
 * A WebGPU device with the engine's pipeline cache. It owns the device: `destroy()` is idempotent,
 * and a lost device is recorded (`lostReason`) rather than thrown at whoever happens to be running.
 */
export class GpuContext {
  readonly limits: GPUSupportedLimits;
  readonly hasTimestamps: boolean;
  lostReason: string | null = null;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly errors: string[] = [];
  private destroyed = false;

  private constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterDescription,
  ) {
    this.limits = device.limits;
    this.hasTimestamps = device.features.has('timestamp-query');
    device.lost.then((info) => {
      this.lostReason = this.destroyed ? 'destroyed' : `${info.reason}: ${info.message || 'no message'}`;
    });
    device.addEventListener('uncapturederror', (event) => {
      this.errors.push((event as GPUUncapturedErrorEvent).error.message);
    });
  }

  /** Requests an adapter and a device from `gpu`, checking the limits the kernels rely on. */
  static async create(gpu: GPU | undefined, options: GPURequestAdapterOptions = {}): Promise<GpuContext> {
    if (!gpu) throw new GpuUnavailableError('WebGPU is not available here (no navigator.gpu).');
    const adapter = await gpu.requestAdapter(options);
    if (!adapter) throw new GpuUnavailableError('WebGPU is present but offered no adapter.');
    for (const [name, minimum] of Object.entries(REQUIRED_LIMITS)) {
      const value = adapter.limits[name as keyof GPUSupportedLimits] as number;
      if (value < minimum) {
        throw new GpuUnavailableError(`The adapter's ${name} is ${value}; Spikescope needs at least ${minimum}.`);
      }
    }
    const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
    const device = await adapter.requestDevice({
      label: 'Spikescope.device',
      requiredFeatures,
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBuffersPerShaderStage: adapter.limits.maxStorageBuffersPerShaderStage,
        maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: adapter.limits.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupSizeX: adapter.limits.maxComputeWorkgroupSizeX,
      },
    });
    return new GpuContext(device, describeAdapter(adapter));
  }

  get isLost(): boolean {
    return this.lostReason !== null;
  }

  /** Throws a `GpuDeviceLostError` if the device is gone. */
  assertAlive(): void {
    if (this.lostReason !== null) throw new GpuDeviceLostError(`The GPU device was lost (${this.lostReason}).`);
  }

  /** Uncaptured validation or out-of-memory errors since the last call. */
  takeErrors(): string[] {
    return this.errors.splice(0, this.errors.length);
  }

  /** The compute pipeline of `shaders/<name>` with entry point `main`, cached by name and constants. */
  pipeline(name: string, constants: Record<string, number> = {}): GPUComputePipeline {
    const key = `${name}|${JSON.stringify(constants)}`;
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      const module = this.device.createShaderModule({ label: name, code: shaderSource(name) });
      pipeline = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module, entryPoint: 'main', constants },
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /** Binds `buffers` to bindings 0..n−1 of group 0 and dispatches `workgroups`. */
  dispatch(
    pass: GPUComputePassEncoder,
    pipeline: GPUComputePipeline,
    buffers: GPUBuffer[],
    workgroups: [number, number?, number?],
  ): void {
    const bindGroup = this.device.createBindGroup({
      label: `${pipeline.label}.bindings`,
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1);
  }

  /**
   * Workgroup counts covering `items` threads of `workgroupSize`, folded into two dimensions past the
   * per-dimension limit (kernels flatten them back with `linear_index`).
   */
  grid1d(items: number, workgroupSize: number): [number, number] {
    const groups = Math.max(1, Math.ceil(items / workgroupSize));
    const maxPerDimension = this.limits.maxComputeWorkgroupsPerDimension;
    if (groups <= maxPerDimension) return [groups, 1];
    const y = Math.ceil(groups / maxPerDimension);
    if (y > maxPerDimension) throw new GpuLimitError(`${items} threads exceed the device's dispatch limits.`);
    return [Math.ceil(groups / y), y];
  }

  /** Copies `buffers` into one mappable buffer, maps it once, and returns each as a Float32Array. */
  async readBack(buffers: { buffer: GPUBuffer; byteLength: number }[], encoder?: GPUCommandEncoder): Promise<Float32Array[]> {
    const offsets: number[] = [];
    let total = 0;
    for (const { byteLength } of buffers) {
      offsets.push(total);
      total += Math.ceil(byteLength / 4) * 4;
    }
    const staging = this.device.createBuffer({
      label: 'Spikescope.readBack',
      size: Math.max(4, total),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const commands = encoder ?? this.device.createCommandEncoder({ label: 'Spikescope.readBack' });
    buffers.forEach(({ buffer, byteLength }, i) => {
      if (byteLength > 0) commands.copyBufferToBuffer(buffer, 0, staging, offsets[i], Math.ceil(byteLength / 4) * 4);
    });
    this.device.queue.submit([commands.finish()]);
    try {
      await staging.mapAsync(GPUMapMode.READ);
    } catch (error) {
      staging.destroy();
      this.assertAlive();
      throw error;
    }
    const mapped = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    const errors = this.takeErrors();
    if (errors.length > 0) throw new Error(`GPU validation failed: ${errors[0]}`);
    return buffers.map(({ byteLength }, i) => mapped.slice(offsets[i] / 4, offsets[i] / 4 + byteLength / 4));
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pipelines.clear();
    this.device.destroy();
  }
}
