/**
 * `spikescope finetune` end to end: an IF model folder (made by `train --method lv-if`) → its
 * dataset's training sentences → surrogate-gradient fine-tuning of the spiking network on the chosen
 * backend, the SNN's dev accuracy through the inference engine after every epoch → a new model folder
 * with the best epoch's weights. Node only (reads the data, may open WebGPU).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDatasetName } from '../data/dataset';
import { createCpuBackend, GpuBackend, type Backend } from '../engine/backends';
import { resolveBackend } from '../engine/choose-backend';
import type { BackendChoice } from '../engine/types';
import { WasmOps } from '../engine/wasm-ops';
import { InputError } from '../engine/errors';
import { adapterLabel } from '../gpu/context';
import { nodeGpu } from '../gpu/node-gpu';
import { ModelFormatError, type LoadedModel, type ModelConfig } from '../model/format';
import { loadModelDir, MODEL_WEIGHTS_FILE, saveModelDir } from '../model/node-io';
import { readSafetensors, type TensorRecord } from '../model/safetensors';
import { tokenize } from '../model/tokenizer';
import type { NetworkSpec } from '../model/spec';
import type { Surrogate } from '../reference/neuron-backward';
import { seededPermutation, type EncodedExample } from './batches';
import { renderModelCard } from './card';
import { CpuOps } from '../engine/cpu-ops';
import { evaluateModel } from './evaluate';
import { finetuneSpiking, type FinetuneRecord } from './finetune-run';
import { GpuOps } from '../engine/gpu-ops';
import type { TensorOps } from '../engine/ops';
import { datasetWithDev } from './pipeline';
import { checkTrainable, largestTrainTensor, MAX_TENSOR_FLOATS } from './graph-trainer';

export interface FinetuneCommandOptions {
  model: string;
  out: string;
  dataDir?: string;
  epochs: number;
  /** T of the fine-tuning (default: the model's default T). */
  numSteps?: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  /** Fine-tune on at most this many training sentences (a seeded subset), 0 = all. */
  trainLimit: number;
  maxTokens: number;
  surrogate: Surrogate;
  /** The loss is the cross-entropy of this × the output spike rate (default 1: rates in [0, 1] are flat logits). */
  rateScale?: number;
  /** The learning rate's schedule (default constant). */
  schedule?: 'constant' | 'cosine';
  /** Which epoch's weights to write: the best on dev (default, epoch 0 included) or the last. */
  keep?: 'best' | 'last';
  /** Dropout on the classifier's input spikes while training (default 0), as the ANN had on its input. */
  dropout?: number;
  /** The seed of the batches and the input spikes (default: the model's). */
  seed?: number;
  backend: BackendChoice;
  command: string;
  name?: string;
}

/** Training ops and an inference backend on one device (or both on the CPU). */
export async function openBackends(choice: BackendChoice): Promise<{ ops: TensorOps<unknown>; engine: Backend; detail: string; close(): void }> {
  const resolved = await resolveBackend(choice, nodeGpu, true);
  if (resolved.kind !== 'gpu') {
    const engine = createCpuBackend(resolved.kind, resolved.why);
    const ops = resolved.kind === 'cpu' ? new WasmOps() : new CpuOps();
    return { ops: ops as TensorOps<unknown>, engine, detail: engine.detail, close: () => (ops.dispose(), engine.dispose()) };
  }
  const ctx = resolved.ctx;
  const ops = new GpuOps(ctx);
  const engine = new GpuBackend(ctx);
  return {
    ops: ops as TensorOps<unknown>,
    engine,
    detail: adapterLabel(ctx.adapter),
    close() {
      ops.dispose();
      engine.dispose(); // destroys the context too
    },
  };
}

/** The model with other layer weights (same vocabulary), and where given its trained network (learned leaks and thresholds) and firing probabilities (a learned table). */
export function withLayerWeights(model: LoadedModel, layers: Map<string, Float32Array>, spec?: NetworkSpec, probabilities?: Float32Array | null): LoadedModel {
  const network = spec ?? model.spec;
  return { ...model, spec: network, config: { ...model.config, network }, weights: new Map([...model.weights, ...layers]), probabilities: probabilities ?? model.probabilities };
}

/** Fine-tunes a model folder and writes the result to `options.out`. */
export async function runFinetuneCommand(options: FinetuneCommandOptions, log: (line: string) => void): Promise<void> {
  const model = await loadModelDir(options.model);
  checkTrainable(model.spec);
  const numSteps = options.numSteps ?? model.config.numSteps;
  const largest = largestTrainTensor(model.spec, numSteps, options.batchSize, options.maxTokens);
  if (largest > MAX_TENSOR_FLOATS) {
    throw new InputError(
      `at T = ${numSteps}, batch ${options.batchSize} and ${options.maxTokens} tokens the largest tensor (T × batch × positions × channels) holds ${largest} floats per tensor, over the ${MAX_TENSOR_FLOATS} (256 MiB) limit; lower --steps, --batch or --max-tokens`,
    );
  }
  const metrics = model.config.metrics as { dataset?: string; testSplit?: { seed?: number } };
  if (!metrics.dataset || !isDatasetName(metrics.dataset)) {
    throw new ModelFormatError(`${options.model}: metrics.dataset is missing; finetune trains on the dataset of a model made by spikescope train`);
  }
  const seed = options.seed ?? model.config.seed;
  const dataset = await datasetWithDev(metrics.dataset, options.dataDir, metrics.testSplit?.seed ?? 1);
  const encode = (text: string) => model.vocabulary.encode(tokenize(text, model.config.tokenizer)).ids;
  let train: EncodedExample[] = dataset.train.map((example) => ({ ids: encode(example.text), label: example.label }));
  if (options.trainLimit > 0 && train.length > options.trainLimit) {
    train = seededPermutation(train.length, seed, 999).slice(0, options.trainLimit).sort((a, b) => a - b).map((i) => train[i]);
  }
  const dev = dataset.dev ?? [];
  const backends = await openBackends(options.backend);
  log(`${model.config.name}: fine-tuning on ${backends.detail}, ${train.length} training sentences, T = ${numSteps}, ${options.epochs} epochs of ${Math.ceil(train.length / options.batchSize)} batches of ${options.batchSize}, AdamW lr ${options.learningRate}; dev ${dev.length} sentences`);
  // The engine draws the same spikes at the same (position, component, step) for every sentence of a
  // seed, so one seed's accuracy moves by a few points with its draws. Dev accuracy is the mean over
  // two seeds other than the model's own (the one `eval` uses), so that the epoch is not chosen on
  // the draws the test evaluation will see.
  const devSeeds = [(model.config.seed + 1) >>> 0, (model.config.seed + 2) >>> 0];
  try {
    const evaluate = async (candidate: Map<string, Float32Array>, spec: NetworkSpec) => {
      const candidateModel = withLayerWeights(model, candidate, spec);
      let snnAccuracy = 0;
      let annAccuracy = 0;
      for (const devSeed of devSeeds) {
        const evaluation = await evaluateModel({ model: candidateModel, examples: dev, backend: backends.engine, stepsSweep: [numSteps], encoding: 'rate', seed: devSeed, dataset: metrics.dataset! });
        snnAccuracy += evaluation.snn[0].accuracy / devSeeds.length;
        annAccuracy = evaluation.ann.accuracy;
      }
      return { snnAccuracy, annAccuracy };
    };
    const rateScale = options.rateScale ?? 1;
    const dropout = options.dropout ?? 0;
    const classifier = [...model.spec.layers].reverse().find((layer) => layer.kind === 'linear');
    if (dropout > 0 && !classifier) throw new InputError(`${options.model} has no linear classifier to apply --dropout to`);
    const settings = { ...options, numSteps, seed, detachReset: false, trainer: { rateScale, ...(dropout > 0 ? { dropout: { layer: classifier!.name, rate: dropout } } : {}) } };
    const result = await finetuneSpiking(backends.ops, model, train, settings, evaluate, log);
    const before = result.history[0].devAccuracy;
    const kept = result.history[result.bestEpoch].devAccuracy;
    log(`kept epoch ${result.bestEpoch}: dev SNN accuracy ${(100 * kept).toFixed(2)}% (before fine-tuning ${(100 * before).toFixed(2)}%); ${Math.round(result.seconds)} s`);
    const record: FinetuneRecord = {
      command: options.command,
      backend: backends.detail,
      numSteps,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      weightDecay: options.weightDecay,
      surrogate: options.surrogate,
      loss: `cross-entropy of ${rateScale === 1 ? '' : `${rateScale} × `}the output spike rate (output spikes averaged over the T steps)${dropout > 0 ? `, dropout ${dropout} on the classifier's input spikes` : ''}`,
      ...(options.schedule === 'cosine' ? { schedule: 'cosine' as const } : {}),
      ...(options.keep === 'last' ? { keep: 'last' as const } : {}),
      maxTokens: options.maxTokens,
      seed,
      trainSize: train.length,
      devSize: dev.length,
      devSeeds,
      epochs: options.epochs,
      steps: result.steps,
      bestEpoch: result.bestEpoch,
      history: result.history,
      seconds: result.seconds,
    };
    const stored = readSafetensors(new Uint8Array(await readFile(join(options.model, MODEL_WEIGHTS_FILE))), MODEL_WEIGHTS_FILE);
    const out = new Map<string, Float32Array | TensorRecord>(result.weights);
    out.set(model.config.embedding.tensor, stored.get(model.config.embedding.tensor)!);
    const config = finetunedConfig({ ...model.config, network: result.spec }, record, options.name);
    await saveModelDir(options.out, config, out);
    await writeFile(join(options.out, 'README.md'), renderModelCard(config, options.out), 'utf8');
    log(`wrote ${options.out} (evaluate it with: spikescope eval --model ${options.out} --write)`);
  } finally {
    backends.close();
  }
}

const FINETUNED = 'Fine-tuned as a spiking network by backpropagation through time with a surrogate gradient (Lv et al.).';

/**
 * The config of the fine-tuned model: the same network, vocabulary and table; rate input by default
 * (what it was tuned for); the training history in `metrics.finetune`; the previous evaluation
 * dropped (it describes other weights).
 */
export function finetunedConfig(config: ModelConfig, record: FinetuneRecord, name?: string): ModelConfig {
  const { evaluatedAt: _a, evalCommand: _b, evalCommands: _c, ann: _d, snn: _e, testSize: _f, backend: _g, split: _h, seed: _i, finetune: _j, ...kept } = config.metrics as Record<string, unknown>;
  const surrogate = record.surrogate.kind === 'fast-sigmoid' ? `fast-sigmoid (slope ${record.surrogate.slope})` : 'piecewise-linear';
  const best = record.history[record.bestEpoch];
  const summary =
    `fine-tuned with \`${record.command}\`: BPTT, ${surrogate} surrogate, T = ${record.numSteps}, AdamW lr ${record.learningRate}, ` +
    `${record.steps} steps on ${record.trainSize} sentences; kept epoch ${record.bestEpoch}/${record.epochs} by dev SNN accuracy ` +
    `(${(100 * best.devAccuracy).toFixed(2)}%, ${(100 * record.history[0].devAccuracy).toFixed(2)}% before; per epoch ${record.history.map((e) => (100 * e.devAccuracy).toFixed(2)).join(' / ')}), ${Math.round(record.seconds)} s on ${record.backend}`;
  return {
    ...config,
    name: name ?? `${config.name.replace(/, fine-tuned$/, '')}, fine-tuned`,
    description: config.description.includes(FINETUNED) ? config.description : `${config.description} ${FINETUNED}`,
    defaultEncoding: 'rate',
    provenance: { ...config.provenance, createdAt: new Date().toISOString(), notes: `${config.provenance.notes}; ${summary}` },
    metrics: { ...kept, finetune: record },
  };
}
