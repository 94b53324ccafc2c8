import { parseFlags } from './flags';
import { type Backend, CpuBackend, GpuBackend, type RunnableModel } from '../engine/backends';
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
import { createNodeEngine } from './node-engine';

const SENTENCE_TOKENS = 20;

interface EngineCase {
  encoding: 'rate' | 'direct';
  batch: number;
  numSteps: number;
  fusedMs: number;
  perStepMs: number;
  cpuMs: number;
  perStepOverFused: number;
  cpuOverGpu: number;
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
  const { config, weights } = makeRandomTextCnn({ vocabulary, dim: 100, widths: [3, 4, 5], filters: 100, classes: ['negative', 'positive'], seed: 42 });
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

/** `spikescope bench`: ratios measured in one run on this machine's adapter. */
export async function runBench(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, { json: { type: 'boolean' }, quick: { type: 'boolean' } });
  const quick = parsed.values.quick ?? false;
  const repeats = quick ? 1 : 3;
  const ctx = await GpuContext.create(await nodeGpu());
  const gpu = new GpuBackend(ctx);
  const cpu = new CpuBackend('CPU reference');
  const model = benchModel();
  const runnable: RunnableModel = model;
  const log = (line: string) => {
    if (!parsed.values.json) console.log(line);
  };
  log(`adapter: ${adapterLabel(ctx.adapter)}`);
  log(`network: TextCNN, 100-d input, widths 3/4/5 x 100 filters, 2 classes; ${SENTENCE_TOKENS}-token sentences`);
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
        const fusedMs = await timeMedian(repeats, () => gpu.run(runnable, batch, options(gpu, 'fused')));
        const perStepMs = await timeMedian(repeats, () => gpu.run(runnable, batch, options(gpu, 'per-step')));
        const slowCpu = batchSize * numSteps > 256 && encoding === 'rate';
        const cpuMs = await timeMedian(slowCpu ? 1 : repeats, () => cpu.run(runnable, batch, options(cpu, 'fused')), !slowCpu);
        const row = { encoding, batch: batchSize, numSteps, fusedMs, perStepMs, cpuMs, perStepOverFused: perStepMs / fusedMs, cpuOverGpu: cpuMs / fusedMs };
        cases.push(row);
        log(
          `${encoding.padEnd(6)} batch ${String(batchSize).padStart(2)} T ${String(numSteps).padStart(2)}: fused ${fusedMs.toFixed(1)} ms, ` +
            `per-step ${perStepMs.toFixed(1)} ms (${row.perStepOverFused.toFixed(2)}x), CPU reference ${cpuMs.toFixed(1)} ms (GPU ${row.cpuOverGpu.toFixed(2)}x faster)`,
        );
      }
    }
  }
  const bandwidthResult = await bandwidth(ctx, repeats);
  log(
    `bandwidth: neuron kernel ${bandwidthResult.neuronGBs.toFixed(2)} GB/s, copy kernel ${bandwidthResult.copyGBs.toFixed(2)} GB/s ` +
      `(${(bandwidthResult.ratio * 100).toFixed(0)} % of copy)`,
  );
  gpu.dispose();
  const engine = createNodeEngine('gpu', 64);
  const sentence = Array.from({ length: SENTENCE_TOKENS }, (_, j) => `word${(j * 37) % 2000}`).join(' ');
  const latency: { numSteps: number; ms: number }[] = [];
  for (const numSteps of stepCounts) {
    const ms = await timeMedian(quick ? 1 : 5, () => engine.classify(model, [sentence], { numSteps, encoding: 'rate', seed: 1 }));
    latency.push({ numSteps, ms });
    log(`latency, one ${SENTENCE_TOKENS}-token sentence end to end (SNN + ANN twin), T ${numSteps}: ${ms.toFixed(1)} ms`);
  }
  engine.dispose();
  if (parsed.values.json) {
    console.log(JSON.stringify({ adapter: adapterLabel(ctx.adapter), sentenceTokens: SENTENCE_TOKENS, cases, bandwidth: bandwidthResult, latency }, null, 2));
  }
  return 0;
}
