/**
 * Buffers kept between runs and handed out again, so that an inference does not create (and the
 * device does not zero) dozens of buffers each time. Sizes are rounded up to classes of 1/8 of a
 * power of two; buffers of the same class and usage are interchangeable. A handed-out buffer holds
 * stale data: users must write before they read (every kernel output in the engine does).
 * Free buffers beyond `maxFreeBytes` are destroyed. `destroy()` is idempotent.
 */
export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  private freeBytes = 0;
  private destroyed = false;

  constructor(
    readonly device: GPUDevice,
    readonly maxFreeBytes = 256 * 1024 * 1024,
  ) {}

  /** The size class of a request: at least 256 bytes, at most 12.5 % above the request. */
  static sizeClass(byteLength: number): number {
    const size = Math.max(256, byteLength);
    const step = Math.max(16, 2 ** (Math.floor(Math.log2(size)) - 3));
    return Math.ceil(size / step) * step;
  }

  acquire(label: string, byteLength: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const size = BufferPool.sizeClass(byteLength);
    const list = this.free.get(`${usage}:${size}`);
    const reused = list?.pop();
    if (reused) {
      this.freeBytes -= size;
      reused.label = label;
      return reused;
    }
    return this.device.createBuffer({ label, size, usage });
  }

  release(buffer: GPUBuffer): void {
    if (this.destroyed || this.freeBytes + buffer.size > this.maxFreeBytes) {
      buffer.destroy();
      return;
    }
    const key = `${buffer.usage}:${buffer.size}`;
    const list = this.free.get(key) ?? [];
    list.push(buffer);
    this.free.set(key, list);
    this.freeBytes += buffer.size;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const list of this.free.values()) for (const buffer of list) buffer.destroy();
    this.free.clear();
    this.freeBytes = 0;
  }
}
