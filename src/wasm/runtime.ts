import { KERNELS_UNSHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels.generated';
import { helperCount, KernelThreads } from './threads';

/** The exports of `assembly/kernels.ts` (pointers are byte offsets into the kernels' memory). */
export interface KernelExports {
  conv(
    input: number, rowStart: number, rowEnd: number, batch: number, tokens: number, inC: number, lengths: number,
    branches: number, widths: number, filters: number, packed: number, bias: number,
    output: number, positions: number, mode: number, spikeFraction: number, analogFraction: number, scratch: number,
  ): number;
  packConv(weights: number, branches: number, widths: number, filters: number, inC: number, packed: number): void;
  encode(
    kind: number, seed: number, numSteps: number, batch: number, tokens: number, dim: number, positionOffset: number,
    tokenIds: number, probabilities: number, vocab: number, streamIds: number, firstStepOnly: number,
    output: number, batchStart: number, batchEnd: number,
  ): number;
  neuron(
    x: number, xBroadcast: number, numSteps: number, neurons: number, v: number, count: number,
    thresholds: number, thresholdCount: number, betas: number, betaCount: number, channels: number,
    leaky: number, fire: number, reset: number, vReset: number, levels: number,
    spikes: number, membrane: number, start: number, end: number,
  ): void;
  poolSum(input: number, rows: number, batch: number, positions: number, channels: number, validPositions: number, output: number, accumulate: number, rowStart: number, rowEnd: number): void;
  activation(input: number, output: number, kind: number, step: number, levels: number, start: number, end: number): void;
  convWeightGrad(
    input: number, gradOutput: number, lengths: number, batch: number, tokens: number, inC: number,
    positions: number, channels: number, channelOffset: number, w: number, grad: number, fStart: number, fEnd: number,
  ): void;
  neuronBackward(
    membrane: number, gradSpikes: number, spikes: number, numSteps: number, neurons: number,
    thresholds: number, thresholdCount: number, betas: number, betaCount: number, channels: number,
    leaky: number, surrogate: number, slope: number, resetPath: number, soft: number, learns: number, initFraction: number,
    gradInput: number, gradBeta: number, gradThreshold: number, start: number, end: number,
  ): void;
  scaleRows(values: number, scale: number, batch: number, channels: number, start: number, end: number): void;
  sumGroups(input: number, numSteps: number, outputs: number, groupSize: number, absolute: number, output: number, start: number, end: number): void;
}

const PAGE = 65536;
/**
 * Work below which a part does not go to a helper thread, in multiply-adds of the event-driven
 * convolution (about 0.08 ns each here): about 2.5 ms of one core. Other kernels count their
 * elements in the same unit (a neuron step costs about 64, an element pooled or counted about 32).
 */
const MIN_PART_WORK = 32 * 1024 * 1024;
const ALIGN = 64;
/** 4 GiB, the most a 32-bit memory can address. */
const MAX_PAGES = 65536;

/** The compiled kernels (for a shared memory where one can be made), or null where WebAssembly SIMD is missing. */
let compiled: WebAssembly.Module | null | undefined;
let compileError = '';
let compiledShared = false;

function decodeBase64(text: string): Uint8Array {
  if (typeof Buffer !== 'undefined') return new Uint8Array(Buffer.from(text, 'base64'));
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The compiled kernel module, or null (with `wasmUnavailableReason()`) where WebAssembly SIMD is missing. */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    if (typeof WebAssembly === 'undefined') throw new Error('no WebAssembly');
    compiledShared = canShareMemory();
    compiled = new WebAssembly.Module(decodeBase64(compiledShared ? KERNELS_WASM_BASE64 : KERNELS_UNSHARED_WASM_BASE64) as BufferSource);
  } catch (error) {
    compiled = null;
    compileError = error instanceof Error ? error.message : String(error);
  }
  return compiled;
}

export function wasmUnavailableReason(): string {
  kernelModule();
  return compileError ? `WebAssembly SIMD is not available (${compileError})` : '';
}

/** True where a shared memory can be made (Node; a cross-origin isolated page): tensors live in it, no copies. */
function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

interface Block {
  offset: number;
  size: number;
}

/**
 * The kernels' linear memory and a first-fit allocator over it. With a shared memory (where it can
 * be made), views made into it stay valid when it grows, so tensors live in it and kernels read
 * them in place; otherwise tensors are ordinary arrays and kernels copy them in and out (`stage`).
 */
export class KernelMemory {
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  readonly shared: boolean;
  private free: Block[] = [];
  private sizes = new Map<number, number>();
  private buffers = new WeakSet<ArrayBufferLike>();
  private pool: KernelThreads | null = null;
  /** At most this many threads per kernel call (the benchmark sets 1 to measure one thread). */
  maxThreads = Number.POSITIVE_INFINITY;
  /** Work below which a part stays on the calling thread (tests set 1 to split every call). */
  minPartWork = MIN_PART_WORK;

  constructor(
    private readonly module: WebAssembly.Module,
    shared = compiledShared,
  ) {
    this.shared = shared;
    // Offset 0 stays unused, so that 0 can mean "no tensor" (no bias).
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: this.shared } as WebAssembly.MemoryDescriptor);
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory, abort: () => { throw new Error('wasm kernel abort'); } } });
    this.exports = instance.exports as unknown as KernelExports;
    this.free.push({ offset: ALIGN, size: this.memory.buffer.byteLength - ALIGN });
    this.buffers.add(this.memory.buffer);
  }

  /** Threads the kernels run on: the calling one and its helpers (started at the first call, shared memory only). */
  get threads(): number {
    return 1 + this.helpers().count;
  }

  private helpers(): { count: number } {
    if (!this.shared) return { count: 0 };
    this.pool ??= new KernelThreads(this.module, this.memory, Object.keys(this.exports), helperCount());
    return this.pool;
  }

  /**
   * Runs kernel `name` over `[0, total)` split in equal parts (multiples of `align`), one per
   * thread, but only as many parts as give each at least `minPartWork` of work, `workPerUnit` per
   * unit of `total` (waking a helper costs more than a small part saves); `argsOf(start, end, part)`
   * gives a part's arguments. Returns the results of the parts.
   */
  parallel(name: keyof KernelExports, total: number, argsOf: (start: number, end: number, part: number) => number[], align: number, workPerUnit: number): number[] {
    const threads = Math.min(this.threads, this.maxThreads);
    const parts = Math.max(1, Math.min(threads, Math.floor((total * workPerUnit) / this.minPartWork), Math.floor(total / align)));
    const calls: { name: string; args: number[] }[] = [];
    let start = 0;
    for (let part = 0; part < parts; part++) {
      let end = part === parts - 1 ? total : Math.round(((part + 1) * total) / parts / align) * align;
      end = Math.min(total, Math.max(start, end));
      calls.push({ name, args: argsOf(start, end, part) });
      start = end;
    }
    const run = (call: { name: string; args: number[] }) => (this.exports[call.name as keyof KernelExports] as (...args: number[]) => number)(...call.args) | 0;
    if (calls.length === 1 || !this.pool) return [run(calls[0])];
    return this.pool.run(calls, run);
  }

  /** Bytes in use. */
  get used(): number {
    let total = 0;
    for (const size of this.sizes.values()) total += size;
    return total;
  }

  /** Allocates `bytes` (aligned to 64), growing the memory when needed; returns the offset. */
  allocate(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let index = this.free.findIndex((block) => block.size >= size);
    if (index < 0) {
      this.grow(size);
      index = this.free.findIndex((block) => block.size >= size);
      if (index < 0) throw new RangeError(`The WebAssembly backend ran out of memory (${bytes} bytes asked).`);
    }
    const block = this.free[index];
    const offset = block.offset;
    if (block.size === size) this.free.splice(index, 1);
    else {
      block.offset += size;
      block.size -= size;
    }
    this.sizes.set(offset, size);
    return offset;
  }

  release(offset: number): void {
    const size = this.sizes.get(offset);
    if (size === undefined) return;
    this.sizes.delete(offset);
    let index = this.free.findIndex((block) => block.offset > offset);
    if (index < 0) index = this.free.length;
    this.free.splice(index, 0, { offset, size });
    // Coalesce with the neighbours.
    const next = this.free[index + 1];
    if (next && offset + size === next.offset) {
      this.free[index].size += next.size;
      this.free.splice(index + 1, 1);
    }
    const previous = this.free[index - 1];
    if (previous && previous.offset + previous.size === offset) {
      previous.size += this.free[index].size;
      this.free.splice(index, 1);
    }
  }

  private grow(size: number): void {
    const current = this.memory.buffer.byteLength;
    const pages = current / PAGE;
    const wanted = Math.min(MAX_PAGES - pages, Math.max(Math.ceil(size / PAGE) + 1, Math.ceil(pages / 2)));
    if (wanted <= 0) throw new RangeError(`The WebAssembly backend ran out of memory (4 GiB in use, ${size} bytes more asked).`);
    this.memory.grow(wanted);
    this.buffers.add(this.memory.buffer);
    const last = this.free[this.free.length - 1];
    if (last && last.offset + last.size === current) last.size += wanted * PAGE;
    else this.free.push({ offset: current, size: wanted * PAGE });
  }

  /** A float view of `length` floats at `offset` (valid until the memory grows, unless shared). */
  f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, length);
  }

  u32(offset: number, length: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, offset, length);
  }

  i32(offset: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, offset, length);
  }

  /** The offset of `tensor` if it lives in this memory, else -1. */
  offsetOf(tensor: ArrayBufferView): number {
    return this.buffers.has(tensor.buffer) ? tensor.byteOffset : -1;
  }
}

/**
 * Kernels over an unshared memory, as a page that is not cross-origin isolated gets them (tensors are
 * copied in and out, one thread): for tests of that path in Node.
 */
export function unsharedKernelMemory(): KernelMemory {
  return new KernelMemory(new WebAssembly.Module(decodeBase64(KERNELS_UNSHARED_WASM_BASE64) as BufferSource), false);
}

let shared: KernelMemory | null | undefined;

/** The kernels and their memory, one per thread (worker or main), or null where WebAssembly SIMD is missing. */
export function kernelMemory(): KernelMemory | null {
  if (shared !== undefined) return shared;
  const module = kernelModule();
  shared = module ? new KernelMemory(module) : null;
  return shared;
}
