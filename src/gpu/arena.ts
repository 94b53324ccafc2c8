import type { BufferPool } from './buffer-pool';

/**
 * One owner for a set of GPU buffers that live and die together (one inference, one benchmark run).
 * Every buffer carries a label naming its owner and role, so that a validation error names the culprit.
 * With a pool, buffers come from it and go back to it (their contents are then stale: write before
 * reading); without one they are created zeroed and destroyed. `destroy()` is idempotent.
 */
export class BufferArena {
  private buffers: GPUBuffer[] = [];
  private destroyed = false;

  constructor(
    readonly device: GPUDevice,
    readonly label: string,
    private readonly pool?: BufferPool,
  ) {}

  /** A buffer of at least `byteLength` bytes (rounded up to 16, never 0). */
  create(role: string, byteLength: number, usage: GPUBufferUsageFlags): GPUBuffer {
    if (this.destroyed) throw new Error(`${this.label}: arena already destroyed`);
    const size = Math.max(16, Math.ceil(byteLength / 16) * 16);
    const label = `${this.label}.${role}`;
    const buffer = this.pool ? this.pool.acquire(label, size, usage) : this.device.createBuffer({ label, size, usage });
    this.buffers.push(buffer);
    return buffer;
  }

  /** A storage buffer holding `data`. */
  storage(role: string, data: ArrayBufferView, extraUsage: GPUBufferUsageFlags = 0): GPUBuffer {
    const buffer = this.create(role, data.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | extraUsage);
    if (data.byteLength > 0) this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  }

  /** An uninitialised (zeroed) storage buffer that can be copied from. */
  scratch(role: string, byteLength: number): GPUBuffer {
    return this.create(role, byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
  }

  /** A uniform buffer holding `data` (an ArrayBuffer built with `UniformWriter`). */
  uniform(role: string, data: ArrayBuffer): GPUBuffer {
    const buffer = this.create(role, data.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const buffer of this.buffers) {
      if (this.pool) this.pool.release(buffer);
      else buffer.destroy();
    }
    this.buffers = [];
  }
}

/** Packs a uniform struct of 4-byte fields in declaration order (u32, i32, f32). */
export class UniformWriter {
  private words: number[] = [];
  private kinds: ('u32' | 'i32' | 'f32')[] = [];

  u32(value: number): this {
    this.words.push(value >>> 0);
    this.kinds.push('u32');
    return this;
  }
  i32(value: number): this {
    this.words.push(value | 0);
    this.kinds.push('i32');
    return this;
  }
  f32(value: number): this {
    this.words.push(value);
    this.kinds.push('f32');
    return this;
  }

  /** The bytes, padded to a multiple of 16. */
  finish(): ArrayBuffer {
    const length = Math.max(4, Math.ceil(this.words.length / 4) * 4);
    const buffer = new ArrayBuffer(length * 4);
    const view = new DataView(buffer);
    this.words.forEach((word, i) => {
      const kind = this.kinds[i];
      if (kind === 'f32') view.setFloat32(i * 4, word, true);
      else if (kind === 'i32') view.setInt32(i * 4, word, true);
      else view.setUint32(i * 4, word, true);
    });
    return buffer;
  }
}
