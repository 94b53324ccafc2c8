/**
 * Helper threads for the WebAssembly kernels: each instantiates the same module over the same
 * shared memory and runs one part of a kernel call (a range of rows, samples or neurons) while the
 * calling thread runs the first part; the caller then waits for all parts (`Atomics.wait`, allowed
 * in Node and in a worker). Node uses `worker_threads`; a page uses blob workers when it is
 * cross-origin isolated (shared memory needs that), and stays single-threaded otherwise.
 */

/** One kernel call of a part: the export's name and its arguments. */
export interface KernelCall {
  name: string;
  args: number[];
}

const SLOT = 16;
const MAX_ARGS = 32;

// Runs in each helper. Slot of helper i in `control`: [0] sequence number of the last call posted,
// [1] sequence number of the last call done, [2] export index, [3] argument count, [4] its result,
// [5] 1 if it threw, [6] 1 once the helper runs (its module instantiated). Arguments in
// `args[i * 32 ...]`.
const HELPER_SOURCE = `
function run(d) {
  const instance = new WebAssembly.Instance(d.module, { env: { memory: d.memory, abort() { throw new Error('abort'); } } });
  const fns = d.names.map((name) => instance.exports[name]);
  const control = d.control, args = d.args, base = d.index * ${SLOT}, argBase = d.index * ${MAX_ARGS};
  Atomics.store(control, base + 6, 1);
  let seen = 0;
  for (;;) {
    Atomics.wait(control, base, seen);
    seen = Atomics.load(control, base);
    if (seen < 0) return;
    const argc = control[base + 3];
    const a = new Array(argc);
    for (let i = 0; i < argc; i++) a[i] = args[argBase + i];
    try {
      control[base + 4] = fns[control[base + 2]](...a) | 0;
      control[base + 5] = 0;
    } catch (error) {
      control[base + 5] = 1;
    }
    Atomics.store(control, base + 1, seen);
    Atomics.notify(control, base + 1);
  }
}
if (typeof require !== 'undefined' && require('node:worker_threads').workerData) run(require('node:worker_threads').workerData);
else onmessage = (event) => run(event.data);
`;

interface Helper {
  terminate(): void;
}

/** The helpers of one memory; `count` is how many (0: all work on the calling thread). */
export class KernelThreads {
  readonly count: number;
  private control: Int32Array;
  private args: Float64Array;
  private sequence = 0;
  private helpers: Helper[] = [];

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, private readonly names: string[], count: number) {
    this.control = new Int32Array(new SharedArrayBuffer(Math.max(1, count) * SLOT * 4));
    this.args = new Float64Array(new SharedArrayBuffer(Math.max(1, count) * MAX_ARGS * 8));
    let started = 0;
    for (let index = 0; index < count; index++) {
      const data = { module, memory, control: this.control, args: this.args, index, names };
      const helper = startHelper(data);
      if (!helper) break;
      this.helpers.push(helper);
      started++;
    }
    this.count = started;
  }

  /**
   * Runs `parts` (one call per part): part 0 with `runHere`, the others on the helpers, and waits for
   * all. Returns each part's result (an i32 the kernel returned). A helper that has not started yet
   * gets no part: that part runs here too. In a page a worker's helper starts only once the worker
   * goes back to its event loop, so waiting for it here would wait for ever; each part's result is
   * the same wherever it runs.
   */
  run(parts: KernelCall[], runHere: (call: KernelCall) => number): number[] {
    if (parts.length - 1 > this.count) throw new Error(`${parts.length} parts for ${this.count} helper threads`);
    const sequence = ++this.sequence;
    const { control, args } = this;
    const posted = parts.map((_, p) => p > 0 && Atomics.load(control, (p - 1) * SLOT + 6) === 1);
    for (let p = 1; p < parts.length; p++) {
      if (!posted[p]) continue;
      const index = p - 1;
      const base = index * SLOT;
      const call = parts[p];
      if (call.args.length > MAX_ARGS) throw new Error(`kernel ${call.name}: too many arguments`);
      control[base + 2] = this.names.indexOf(call.name);
      control[base + 3] = call.args.length;
      args.set(call.args, index * MAX_ARGS);
      Atomics.store(control, base, sequence);
      Atomics.notify(control, base);
    }
    const results = new Array<number>(parts.length).fill(0);
    let failure: unknown = null;
    for (let p = 0; p < parts.length; p++) {
      if (p > 0 && posted[p]) continue;
      try {
        results[p] = runHere(parts[p]);
      } catch (error) {
        failure ??= error;
      }
    }
    for (let p = 1; p < parts.length; p++) {
      if (!posted[p]) continue;
      const base = (p - 1) * SLOT;
      for (let done = Atomics.load(control, base + 1); done !== sequence; done = Atomics.load(control, base + 1)) {
        Atomics.wait(control, base + 1, done, 10_000);
      }
      if (control[base + 5] !== 0) failure ??= new Error(`The WebAssembly kernel ${parts[p].name} failed on a helper thread.`);
      results[p] = control[base + 4];
    }
    if (failure) throw failure;
    return results;
  }

  dispose(): void {
    for (let index = 0; index < this.helpers.length; index++) {
      Atomics.store(this.control, index * SLOT, -1);
      Atomics.notify(this.control, index * SLOT);
      this.helpers[index].terminate();
    }
    this.helpers = [];
  }
}

interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: Int32Array;
  args: Float64Array;
  index: number;
  names: string[];
}

/** Starts one helper in Node (worker_threads) or in a cross-origin isolated page; null where neither works. */
function startHelper(data: HelperData): Helper | null {
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown; versions?: { node?: string } } }).process;
  if (nodeProcess?.versions?.node && nodeProcess.getBuiltinModule) {
    const threads = nodeProcess.getBuiltinModule('node:worker_threads') as typeof import('node:worker_threads');
    const worker = new threads.Worker(HELPER_SOURCE, { eval: true, workerData: data });
    worker.unref();
    return { terminate: () => void worker.terminate() };
  }
  if (typeof Worker !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    const url = URL.createObjectURL(new Blob([HELPER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(url);
    worker.postMessage(data);
    return { terminate: () => worker.terminate() };
  }
  return null;
}

/** How many helper threads to start: `SPIKESCOPE_THREADS` − 1 when set, else one per further core (at most 7). */
export function helperCount(): number {
  const nodeProcess = (globalThis as { process?: { env?: Record<string, string | undefined>; getBuiltinModule?: (name: string) => unknown } }).process;
  const asked = Number(nodeProcess?.env?.SPIKESCOPE_THREADS);
  if (Number.isInteger(asked) && asked >= 1) return Math.min(asked, 16) - 1;
  let cores = 1;
  if (nodeProcess?.getBuiltinModule) cores = (nodeProcess.getBuiltinModule('node:os') as typeof import('node:os')).availableParallelism();
  else if (typeof navigator !== 'undefined') cores = navigator.hardwareConcurrency || 1;
  return Math.max(0, Math.min(cores, 8) - 1);
}
