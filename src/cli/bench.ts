import { parseFlags } from './flags';
import { UsageError } from './errors';
import { type Backend, CpuBackend, createCpuBackend, GpuBackend, type RunnableModel } from '../engine/backends';
import { Engine } from '../engine/engine';
import { SPARSE_CROSSOVER, WasmOps, type WasmPath } from '../engine/wasm-ops';
import { kernelMemory, wasmUnavailableReason } from '../wasm/runtime';
import { prepareBatch, type PreparedBatch } from '../engine/batch';
import { planBatch } from '../engine/engine';
import type { ExecuteOptions } from '../engine/executor';
import { BufferArena } from '../gpu/arena';
import { adapterLabel, GpuContext } from '../gpu/context';
import { recordCopy } from '../gpu/kernels/copy';
import { createNeuronLayerBuffers, recordNeuron } from '../gpu/kernels/neuron';
import { nodeGpu } from '../gpu/node-gpu';
import { parseModel, serializeModel, type LoadedModel } from '../model/format';
import { makeRandomTextCnn } from '../model/random-model';
import { hashU32 } from '../reference/rng';

const SENTENCE_TOKENS = 20;

interface EngineCase {
  encoding: 'rate' | 'direct';
  batch: number;
  numSteps: number;
  /** WebGPU, all steps in one dispatch per kernel, and one dispatch per step. */
  fusedMs: number;
  perStepMs: number;
  /** The CPU reference (plain TypeScript). */
  cpuMs: number;
  /** The WebAssembly backend on all its threads, and on one. */
  wasmMs: number;
  wasm1Ms: number;
  perStepOverFused: number;
  cpuOverGpu: number;
  /** Dense convolution and linear work of the case, and each backend's rate against it (GFLOP/s). */
  denseGflop: number;
  gflops: { fused: number; perStep: number; reference: number; wasm: number; wasm1: number };
}

const DIM = 100;
const WIDTHS = [3, 4, 5];
const FILTERS = 100;

/** Multiply-accumulates of the dense work per sample and step: every valid position of every branch, and the linear layer. */
function denseMacsPerSampleStep(tokens: number): number {
  const conv = WIDTHS.reduce((sum, width) => sum + Math.max(0, tokens - width + 1) * width * DIM * FILTERS, 0);
  return conv + WIDTHS.length * FILTERS * 2;
}

/** Median wall time of `repeats` runs of `run` (at least one) after one warm-up run, if asked. */
async function timeMedian(repeats: number, run: () => Promise<unknown>, warmUp = true): Promise<number> {
  if (warmUp) await run();
  const times: number[] = [];
  for (let i = 0; i < Math.max(1, repeats); i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** The TextCNN-sized network of the benchmark: 100-d input, widths 3/4/5 × 100 filters, 2 classes. */
function benchModel(): LoadedModel {
  const vocabulary = Array.from({ length: 2000 }, (_, i) => `word${i}`);
  const { config, weights } = makeRandomTextCnn({ vocabulary, dim: DIM, widths: WIDTHS, filters: FILTERS, classes: ['negative', 'positive'], seed: 42 });
  const { configText, weightBytes } = serializeModel(config, weights);
  return parseModel(configText, weightBytes);
}

function benchBatch(model: LoadedModel, batch: number): PreparedBatch {
  const vocabularySize = model.config.vocabulary.length;
  const samples = Array.from({ length: batch }, (_, b) =>
    Int32Array.from({ length: SENTENCE_TOKENS }, (_, j) => hashU32(b * 1000 + j) % vocabularySize),
  );
  return prepareBatch(samples, model.spec.encoder.minLength);
}

function executeOptions(
  backend: Backend,
  model: LoadedModel,
  batch: number,
  numSteps: number,
  stepMode: 'fused' | 'per-step',
  encoding: 'rate' | 'direct',
): ExecuteOptions {
  const plan = planBatch(backend, model, { numSteps, encoding, seed: 1 }, SENTENCE_TOKENS, batch);
  return { mode: 'snn', numSteps, encoding, seed: 1, stepMode, maxChunkPositions: plan.maxChunkPositions };
}

/** (c) Effective bandwidth of the neuron kernel against a plain copy of the same bytes. */
async function bandwidth(ctx: GpuContext, repeats: number): Promise<{ neuronGBs: number; copyGBs: number; ratio: number }> {
  const numSteps = 16;
  const neurons = 1 << 20;
  const floats = numSteps * neurons;
  const arena = new BufferArena(ctx.device, 'bench.bandwidth');
  try {
    const x = arena.storage('x', Float32Array.from({ length: floats }, (_, i) => (hashU32(i) % 1000) / 700));
    const spikes = arena.scratch('spikes', floats * 4);
    const params = { model: 'IF' as const, reset: 'soft' as const, vThreshold: new Float32Array([1]), channels: 1, beta: 1, vReset: 0, vInitFraction: 0, levels: 2 };
    const layer = createNeuronLayerBuffers(arena, params, neurons, 'bench');
    const submit = async (record: (pass: GPUComputePassEncoder) => void) => {
      const encoder = ctx.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      record(pass);
      pass.end();
      ctx.device.queue.submit([encoder.finish()]);
      await ctx.device.queue.onSubmittedWorkDone();
    };
    const neuronMs = await timeMedian(repeats, () =>
      submit((pass) => recordNeuron(ctx, pass, arena, { params, neurons, tStart: 0, tCount: numSteps, x, spikes, layer })),
    );
    const copyMs = await timeMedian(repeats, () => submit((pass) => recordCopy(ctx, pass, arena, { count: floats, input: x, output: spikes, perThread: numSteps })));
    // Neuron: reads x and writes spikes every step, reads and writes v and count once. Copy: reads and writes every float.
    const neuronBytes = floats * 8 + neurons * 16;
    const copyBytes = floats * 8;
    const neuronGBs = neuronBytes / neuronMs / 1e6;
    const copyGBs = copyBytes / copyMs / 1e6;
    return { neuronGBs, copyGBs, ratio: neuronGBs / copyGBs };
  } finally {
    arena.destroy();
  }
}

/** Deterministic inputs of the convolution: 0/1 spikes at `density`, or analog values where nonzero (`analog`). */
function convInput(length: number, density: number, analog: boolean, seed: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => {
    const draw = hashU32(seed * 7919 + i) / 4294967296;
    if (draw >= density) return 0;
    return analog ? (hashU32(i + 17) % 2000) / 1000 - 1 : 1;
  });
}

/** Median time of one WebAssembly convolution (bench shape, `rows` rows of 20 tokens) on the given path. */
async function timeConv(rows: number, input: Float32Array, weights: Float32Array, path: WasmPath, repeats: number): Promise<number> {
  const shape = { rows, batch: 64, tokens: SENTENCE_TOKENS, inChannels: DIM, widths: WIDTHS, filters: FILTERS };
  const ops = new WasmOps(path);
  try {
    const x = ops.upload('x', input);
    const w = ops.upload('w', weights);
    const lengths = ops.upload('lengths', new Uint32Array(64).fill(SENTENCE_TOKENS));
    const output = ops.allocate('out', rows * (SENTENCE_TOKENS - 2) * WIDTHS.length * FILTERS);
    return await timeMedian(repeats, async () => ops.conv({ shape, rowStart: 0, rowCount: rows, input: x, weights: w, bias: null, lengths, output }));
  } finally {
    ops.dispose();
  }
}

/** `spikescope bench`: ratios measured in one run on this machine. */
export async function runBench(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, { json: { type: 'boolean' }, quick: { type: 'boolean' }, backends: { type: 'string' } });
  const quick = parsed.values.quick ?? false;
  const repeats = quick ? 1 : 3;
  const chosen = new Set((parsed.values.backends ?? 'gpu,wasm,reference').split(','));
  for (const name of chosen) {
    if (name !== 'gpu' && name !== 'wasm' && name !== 'reference') throw new UsageError(`--backends takes gpu, wasm and reference, got '${name}'`);
  }
  const ctx = await GpuContext.create(await nodeGpu());
  const gpu = new GpuBackend(ctx);
  /** The median time of `run`, or NaN (null in JSON) when `backend` is not measured. */
  const timed = (backend: string, times: number, run: () => Promise<unknown>, warmUp = true) => (chosen.has(backend) ? timeMedian(times, run, warmUp) : Promise.resolve(Number.NaN));
  const reference = createCpuBackend('reference');
  const memory = kernelMemory();
  if (!memory) throw new Error(`bench needs the WebAssembly backend: ${wasmUnavailableReason()}`);
  const threads = memory.threads;
  const wasm = new CpuBackend(`WebAssembly SIMD, ${threads} threads`, () => new WasmOps());
  /** Runs `run` with the WebAssembly kernels on one thread. */
  const oneThread = async <T>(run: () => Promise<T>): Promise<T> => {
    memory.maxThreads = 1;
    try {
      return await run();
    } finally {
      memory.maxThreads = Number.POSITIVE_INFINITY;
    }
  };
  const model = benchModel();
  const runnable: RunnableModel = model;
  const log = (line: string) => {
    if (!parsed.values.json) console.log(line);
  };
  const macs = denseMacsPerSampleStep(SENTENCE_TOKENS);
  log(`adapter: ${adapterLabel(ctx.adapter)}; CPU: ${threads} threads for the WebAssembly backend`);
  log(`network: TextCNN, ${DIM}-d input, widths ${WIDTHS.join('/')} x ${FILTERS} filters, 2 classes; ${SENTENCE_TOKENS}-token sentences; dense work ${(2 * macs / 1e6).toFixed(2)} MFLOP per sample and step`);
  log('backends: gpu = WebGPU all steps per dispatch, gpu-step = one dispatch per step, wasm = WebAssembly SIMD (all threads, and 1), ref = CPU reference; GFLOP/s = dense work / time');
  const cases: EngineCase[] = [];
  const batches = quick ? [1, 8] : [1, 64];
  const stepCounts = quick ? [8, 16] : [8, 16, 50];
  // Rate input is new at every step; direct input is the same at every step, so the fused path
  // computes the encoder and convolution once, while a per-step run recomputes them each step.
  for (const encoding of ['rate', 'direct'] as const) {
    for (const batchSize of batches) {
      const batch = benchBatch(model, batchSize);
      for (const numSteps of stepCounts) {
        const options = (backend: Backend, stepMode: 'fused' | 'per-step') => [executeOptions(backend, model, batchSize, numSteps, stepMode, encoding)];
        const fusedMs = await timed('gpu', repeats, () => gpu.run(runnable, batch, options(gpu, 'fused')));
        const perStepMs = await timed('gpu', repeats, () => gpu.run(runnable, batch, options(gpu, 'per-step')));
        const wasmMs = await timed('wasm', repeats, () => wasm.run(runnable, batch, options(wasm, 'fused')));
        const wasm1Ms = await oneThread(() => timed('wasm', repeats, () => wasm.run(runnable, batch, options(wasm, 'fused'))));
        const slowCpu = batchSize * numSteps > 256 && encoding === 'rate';
        const cpuMs = await timed('reference', slowCpu ? 1 : repeats, () => reference.run(runnable, batch, options(reference, 'fused')), !slowCpu);
        const denseGflop = (2 * macs * batchSize * numSteps) / 1e9;
        const rate = (ms: number) => denseGflop / (ms / 1000);
        const row: EngineCase = {
          encoding, batch: batchSize, numSteps, fusedMs, perStepMs, cpuMs, wasmMs, wasm1Ms,
          perStepOverFused: perStepMs / fusedMs, cpuOverGpu: cpuMs / fusedMs, denseGflop,
          gflops: { fused: rate(fusedMs), perStep: rate(perStepMs), reference: rate(cpuMs), wasm: rate(wasmMs), wasm1: rate(wasm1Ms) },
        };
        cases.push(row);
        const ms = (value: number) => (Number.isNaN(value) ? '-' : value >= 100 ? value.toFixed(0) : value.toFixed(1));
        const parts = [
          chosen.has('gpu') && `gpu ${ms(fusedMs)} ms, gpu-step ${ms(perStepMs)} ms`,
          chosen.has('wasm') && `wasm ${ms(wasmMs)} ms (1 thread ${ms(wasm1Ms)}, ${row.gflops.wasm.toFixed(1)} GFLOP/s)`,
          chosen.has('reference') && `ref ${ms(cpuMs)} ms`,
          chosen.has('wasm') && chosen.has('gpu') && `wasm ${(fusedMs / wasmMs).toFixed(1)}x faster than gpu`,
          chosen.has('wasm') && chosen.has('reference') && `${(cpuMs / wasmMs).toFixed(0)}x faster than ref`,
        ];
        log(`${encoding.padEnd(6)} batch ${String(batchSize).padStart(2)} T ${String(numSteps).padStart(2)}: ${parts.filter(Boolean).join('; ')}`);
      }
    }
  }

  // The dense product of the WebAssembly kernels (analog input, register-blocked): the CPU's roofline here.
  let gemm: { rows: number; gflops: number; gflops1: number } | null = null;
  const crossover: { density: number; spikes: { sparseMs: number; denseMs: number }; analog: { sparseMs: number; denseMs: number } }[] = [];
  let crossovers: { spikes: number | null; analog: number | null; used: typeof SPARSE_CROSSOVER } | null = null;
  if (chosen.has('wasm')) {
    const gemmRows = quick ? 256 : 1024;
    const gemmWeights = convInput(WIDTHS.reduce((sum, w) => sum + w, 0) * DIM * FILTERS, 1, true, 3);
    const gemmInput = convInput(gemmRows * SENTENCE_TOKENS * DIM, 1, true, 4);
    const gemmGflop = (2 * (denseMacsPerSampleStep(SENTENCE_TOKENS) - WIDTHS.length * FILTERS * 2) * gemmRows) / 1e9;
    const gemmMs = await timeConv(gemmRows, gemmInput, gemmWeights, 'dense', repeats);
    const gemm1Ms = await oneThread(() => timeConv(gemmRows, gemmInput, gemmWeights, 'dense', repeats));
    gemm = { rows: gemmRows, gflops: gemmGflop / (gemmMs / 1000), gflops1: gemmGflop / (gemm1Ms / 1000) };
    log(`dense GEMM (the convolution on analog input, ${gemmRows} rows): ${gemm.gflops.toFixed(1)} GFLOP/s on ${threads} threads, ${gemm.gflops1.toFixed(1)} on 1`);
    for (const row of cases.filter((c) => c.encoding === 'rate' && c.batch === Math.max(...batches))) {
      log(`  rate batch ${row.batch} T ${row.numSteps}: wasm reaches ${((100 * row.gflops.wasm) / gemm.gflops).toFixed(0)} % of the dense GEMM rate (event-driven convolution), gpu ${((100 * row.gflops.fused) / gemm.gflops).toFixed(0)} %`);
    }

    // Event-driven against dense: the convolution on inputs of a given density, both paths.
    const densities = quick ? [0.05, 0.5, 1] : [0.02, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
    for (const density of densities) {
      const entry = { density, spikes: { sparseMs: 0, denseMs: 0 }, analog: { sparseMs: 0, denseMs: 0 } };
      for (const kind of ['spikes', 'analog'] as const) {
        const input = convInput(gemmRows * SENTENCE_TOKENS * DIM, density, kind === 'analog', 5);
        entry[kind].sparseMs = await timeConv(gemmRows, input, gemmWeights, 'sparse', repeats);
        entry[kind].denseMs = await timeConv(gemmRows, input, gemmWeights, 'dense', repeats);
      }
      crossover.push(entry);
      log(
        `convolution at input density ${density.toFixed(2)}: 0/1 spikes event-driven ${entry.spikes.sparseMs.toFixed(1)} ms vs dense ${entry.spikes.denseMs.toFixed(1)} ms; ` +
          `analog event-driven ${entry.analog.sparseMs.toFixed(1)} ms vs dense ${entry.analog.denseMs.toFixed(1)} ms`,
      );
    }
    const firstLoss = (kind: 'spikes' | 'analog') => crossover.find((entry) => entry[kind].sparseMs >= entry[kind].denseMs)?.density ?? null;
    crossovers = { spikes: firstLoss('spikes'), analog: firstLoss('analog'), used: SPARSE_CROSSOVER };
    log(
      `crossover: event-driven stops paying at density ${crossovers.spikes ?? '> 1'} (0/1 spikes), ${crossovers.analog ?? '> 1'} (analog); ` +
        `the backend switches to dense above ${SPARSE_CROSSOVER.spikes} (spikes) and ${SPARSE_CROSSOVER.analog} (analog)`,
    );
  }

  let bandwidthResult: Awaited<ReturnType<typeof bandwidth>> | null = null;
  if (chosen.has('gpu')) {
    bandwidthResult = await bandwidth(ctx, repeats);
    log(
      `bandwidth: neuron kernel ${bandwidthResult.neuronGBs.toFixed(2)} GB/s, copy kernel ${bandwidthResult.copyGBs.toFixed(2)} GB/s ` +
        `(${(bandwidthResult.ratio * 100).toFixed(0)} % of copy)`,
    );
  }
  gpu.dispose();
  wasm.dispose();
  const sentence = Array.from({ length: SENTENCE_TOKENS }, (_, j) => `word${(j * 37) % 2000}`).join(' ');
  const latency: { backend: string; numSteps: number; ms: number }[] = [];
  for (const [name, backend] of [['gpu', 'gpu'], ['wasm', 'cpu']] as const) {
    if (!chosen.has(name)) continue;
    const engine = new Engine({ backend, gpu: nodeGpu, maxBatch: 64 });
    for (const numSteps of stepCounts) {
      const ms = await timeMedian(quick ? 1 : 5, () => engine.classify(model, [sentence], { numSteps, encoding: 'rate', seed: 1 }));
      latency.push({ backend: name, numSteps, ms });
      log(`latency, one ${SENTENCE_TOKENS}-token sentence end to end (SNN + ANN twin), ${name}, T ${numSteps}: ${ms.toFixed(1)} ms`);
    }
    engine.dispose();
  }
  if (parsed.values.json) {
    console.log(JSON.stringify({ adapter: adapterLabel(ctx.adapter), threads, sentenceTokens: SENTENCE_TOKENS, denseMacsPerSampleStep: macs, cases, gemm, crossover, crossovers, bandwidth: bandwidthResult, latency }, null, 2));
  }
  return 0;
}
