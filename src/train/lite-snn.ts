/**
 * LITE-SNN (Rathi & Roy; architecture §2.5): leaky neurons whose membrane carries the sentence,
 * trained directly by backpropagation through time with a surrogate spike derivative.
 *
 * ```
 * p_w          the word's firing probabilities (frozen GloVe, or a learned character table), direct input
 * x_w = W·[p_w, 1]              word_linear: a width-1 convolution, the presence column centring p
 * words        PLIF neurons, one per channel, running through the words in order, T steps per word,
 *              the membrane carried from each word to the next (sequence-neuron); learned β, θ per channel
 * pool         the average over the words of each step's spikes
 * fc, output   a linear layer and PLIF output neurons, `population` per class; score = spike count
 * ```
 *
 * `spikescope train --method lite-snn` builds it from seeded random weights, trains it with the
 * generic trainer (`GraphTrainer`, SNN mode, direct input) and keeps the epoch with the best dev
 * accuracy of the inference engine. Node only (reads the data, may open WebGPU).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATASETS } from '../data/dataset';
import { describeSplit } from '../data/split';
import { parseModel, serializeModel, type LoadedModel, type ModelConfig } from '../model/format';
import type { TensorRecord } from '../model/safetensors';
import { saveModelDir } from '../model/node-io';
import { randomUniformTensor } from '../model/random-tensor';
import type { LayerSpec, NeuronSpec } from '../model/spec';
import type { Surrogate } from '../reference/neuron-backward';
import { renderModelCard } from './card';
import { embeddingTensor, modelConfig } from './export';
import { openBackends, withLayerWeights } from './finetune-command';
import { finetuneSpiking, type FinetuneRecord, type FinetuneResult } from './finetune-run';
import { largestTrainTensor, MAX_TENSOR_FLOATS } from './graph-trainer';
import { evaluateModel } from './evaluate';
import { recordedSplit, tableCentre, trainingData, type TrainCommandOptions } from './pipeline';
import type { PreparedVocabulary } from './prepare';
import { InputError } from '../engine/errors';

/** The network's sizes and the neurons' initial values. */
export interface LiteSnnConfig {
  /** The table's dimension (the input has one more: the presence component). */
  dim: number;
  hidden: number;
  classes: number;
  /** Output neurons per class. */
  population: number;
  /** Initial leak β and threshold θ of every neuron (learned per channel). */
  beta: number;
  vThreshold: number;
  /** What training subtracts from every p (`centredTable`), folded into the presence weight after. */
  centre: number;
  /** `membrane`: the classifier's currents summed over T (a non-spiking readout); `spikes`: PLIF output neurons. */
  readout: 'membrane' | 'spikes';
  /** Layers of neurons over the words (default 1): each after the first reads the spikes of the one before through a per-word linear map. */
  depth?: number;
}

/** PLIF neurons with one learned leak and threshold per channel, soft reset, from v = 0. */
function plif(config: LiteSnnConfig, channels: number): NeuronSpec {
  return {
    model: 'PLIF',
    reset: 'soft',
    vThreshold: new Array<number>(channels).fill(config.vThreshold),
    beta: new Array<number>(channels).fill(config.beta),
    vReset: 0,
    vInitFraction: 0,
    levels: 2,
    ann: { kind: 'relu' },
  };
}

/** The layers of architecture §2.5. */
export function liteSnnLayers(config: LiteSnnConfig): LayerSpec[] {
  const outputs = config.classes * config.population;
  const deeper = Array.from({ length: (config.depth ?? 1) - 1 }, (_, k): LayerSpec[] => [
    { kind: 'conv', name: `word_linear${k + 2}`, inChannels: config.hidden, widths: [1], filters: config.hidden, bias: false },
    { kind: 'sequence-neuron', name: `words${k + 2}`, ...plif(config, config.hidden) },
  ]).flat();
  return [
    { kind: 'conv', name: 'word_linear', inChannels: config.dim + 1, widths: [1], filters: config.hidden, bias: false },
    { kind: 'sequence-neuron', name: 'words', ...plif(config, config.hidden) },
    ...deeper,
    { kind: 'pool', name: 'pool', mode: 'sum' },
    { kind: 'linear', name: 'fc', inFeatures: config.hidden, outFeatures: outputs, bias: true },
    ...(config.readout === 'spikes' ? [{ kind: 'neuron' as const, name: 'output', ...plif(config, outputs) }] : []),
  ];
}

/**
 * Seeded initial weights, in the layout training reads: the input is centred (`centredTable`), so the
 * presence column starts at 0; `foldCentre` turns them into the model's, which reads p. W uniform
 * ±gain·√(3/dim); fc uniform ±¼√(3/hidden) (it reads spike counts summed over the words; 4× √(3/hidden)
 * before spiking output neurons), bias 0.
 */
export function liteSnnWeights(config: LiteSnnConfig, seed: number, gain = 2): Map<string, Float32Array> {
  const D = config.dim;
  const H = config.hidden;
  const outputs = config.classes * config.population;
  const w = randomUniformTensor(seed, 'word_linear', H * D, -gain * Math.sqrt(3 / D), gain * Math.sqrt(3 / D));
  const word = new Float32Array(H * (D + 1));
  for (let h = 0; h < H; h++) word.set(w.subarray(h * D, (h + 1) * D), h * (D + 1));
  const fcRange = (config.readout === 'spikes' ? 4 : 1 / 4) * Math.sqrt(3 / H);
  // Deeper layers read sparse spikes (a few %): a wider range gives them currents near threshold.
  const deeper = Array.from({ length: (config.depth ?? 1) - 1 }, (_, k): [string, Float32Array] => [
    `word_linear${k + 2}.w1`,
    randomUniformTensor(seed, `word_linear${k + 2}`, H * H, -3 * Math.sqrt(3 / H), 3 * Math.sqrt(3 / H)),
  ]);
  return new Map([
    ['word_linear.w1', word],
    ...deeper,
    ['fc.weight', randomUniformTensor(seed, 'fc.weight', outputs * H, -fcRange, fcRange)],
    ['fc.bias', new Float32Array(outputs)],
  ]);
}

/**
 * The input training reads: `p − centre` in the table's columns, the presence column (1) as it is.
 * Uncentred inputs (p ≈ ½ in every component) would give every weight of a neuron the same large
 * gradient component and slow learning to a crawl.
 */
export function centredTable(probabilities: Float32Array, dim: number, centre: number): Float32Array {
  return probabilities.map((p, i) => (i % (dim + 1) === dim ? p : p - centre));
}

/** The model's table from a centred one (`centredTable` undone). */
export function uncentredTable(table: Float32Array, dim: number, centre: number): Float32Array {
  return table.map((p, i) => (i % (dim + 1) === dim ? p : p + centre));
}

/**
 * The model's weights from trained ones: in the `[rows][dim + 1]` tensor `name` that reads the input,
 * the presence weight takes the centring, `w_D − centre·Σ_d w_d`, so that `W·[p, 1]` is the trained
 * `W·[p − centre, 1]`.
 */
export function foldCentre(weights: Map<string, Float32Array>, config: Pick<LiteSnnConfig, 'dim' | 'centre'>, name = 'word_linear.w1'): Map<string, Float32Array> {
  const D = config.dim;
  const tensor = weights.get(name)!.slice();
  for (let row = 0; row < tensor.length / (D + 1); row++) {
    let sum = 0;
    for (let d = 0; d < D; d++) sum += tensor[row * (D + 1) + d];
    tensor[row * (D + 1) + D] = Math.fround(tensor[row * (D + 1) + D] - config.centre * sum);
  }
  return new Map([...weights, [name, tensor]]);
}

/** The train command's options with LITE-SNN's own. */
export interface LiteSnnCommandOptions extends TrainCommandOptions {
  hidden: number;
  population: number;
  /** The loss reads this multiple of the output rate (`TrainerOptions.rateScale`). */
  rateScale: number;
  surrogate: Surrogate;
  /** The initial leak and threshold. */
  beta: number;
  vThreshold: number;
  readout: LiteSnnConfig['readout'];
  depth: number;
  schedule: 'constant' | 'cosine';
}

/**
 * A model folder's config and weights for a network over direct input, before or after training:
 * `layers` with `weights`, the table (GloVe as it came, or a learned `table` of the trainer's layout)
 * as the embedding, `population` output neurons per class.
 */
export function directInputModel(prepared: PreparedVocabulary, centre: number, weights: Map<string, Float32Array>, table: Float32Array | null, args: {
  layers: LayerSpec[];
  population: number;
  classes: string[];
  numSteps: number;
  seed: number;
  provenance: Parameters<typeof modelConfig>[0]['provenance'];
  metrics: Record<string, unknown>;
}): { model: LoadedModel; config: ModelConfig; stored: Map<string, Float32Array | TensorRecord> } {
  const embedding = embeddingTensor(prepared, centredOf(prepared, table, centre), centre);
  const value = modelConfig({
    prepared,
    config: { dim: prepared.dim, minLength: 1 },
    layers: args.layers,
    classes: args.classes,
    encoding: 'direct',
    clipSigmas: prepared.clipSigmas,
    numSteps: args.numSteps,
    seed: args.seed,
    embedding: embedding.config,
    provenance: args.provenance,
    metrics: args.metrics,
  });
  value.network.readout.population = args.population;
  const stored = new Map<string, Float32Array | TensorRecord>(weights);
  stored.set('embedding', embedding.record);
  const { configText, weightBytes } = serializeModel(value, stored);
  return { model: parseModel(configText, weightBytes), config: value, stored };
}

/** Trains a LITE-SNN on a dataset and writes its model folder with a card. */
export async function runLiteSnnTrainCommand(options: LiteSnnCommandOptions, log: (line: string) => void): Promise<void> {
  const { dataset, prepared, train } = await trainingData(options, log);
  const dev = dataset.dev ?? [];
  const config: LiteSnnConfig = {
    dim: prepared.dim,
    hidden: options.hidden,
    classes: dataset.classes.length,
    population: options.readout === 'spikes' ? options.population : 1,
    beta: options.beta,
    vThreshold: options.vThreshold,
    centre: tableCentre(prepared),
    readout: options.readout,
    depth: options.depth,
  };
  const T = options.numSteps;
  const name = options.name ?? `${DATASETS[dataset.name].title.split(' (')[0]} LITE-SNN (PLIF over the words, T = ${T} per word)`;
  const provenance = { name, description: describeLite(dataset.name, prepared, config, T), command: options.command, dataset: dataset.name, split: describeSplit(dataset), seed: options.seed, notes: '' };
  const metrics = { dataset: dataset.name, testSplit: recordedSplit(dataset) };
  const weights = liteSnnWeights(config, options.seed);
  const initial = directInputModel(prepared, config.centre, foldCentre(weights, config), null, { layers: liteSnnLayers(config), population: config.population, classes: dataset.classes, numSteps: T, seed: options.seed, provenance, metrics }).model;
  const centred = { spec: initial.spec, weights, probabilities: centredTable(initial.probabilities, config.dim, config.centre) };
  const uncentred = (table: Float32Array | null) => table && uncentredTable(table, config.dim, config.centre);
  const largest = largestTrainTensor(initial.spec, T, options.batchSize, options.maxTokens);
  if (largest > MAX_TENSOR_FLOATS) {
    throw new InputError(`at T = ${T}, batch ${options.batchSize} and ${options.maxTokens} tokens a tensor holds ${largest} floats, over the ${MAX_TENSOR_FLOATS} limit; lower --steps, --batch or --max-tokens`);
  }
  const backends = await openBackends(options.backend);
  log(`training LITE-SNN (hidden ${config.hidden}, T = ${T} per word, population ${config.population}) on ${backends.detail}: ${options.epochs} epochs of ${Math.ceil(train.length / options.batchSize)} batches of ${options.batchSize}, AdamW lr ${options.learningRate}`);
  try {
    // Direct input draws no spikes: the dev accuracy needs one seed.
    const evaluate = async (weights: Map<string, Float32Array>, spec: LoadedModel['spec'], table: Float32Array | null) => {
      const evaluation = await evaluateModel({ model: withLayerWeights(initial, foldCentre(weights, config), spec, uncentred(table)), examples: dev, backend: backends.engine, stepsSweep: [T], encoding: 'direct', seed: options.seed, dataset: dataset.name });
      return { snnAccuracy: evaluation.snn[0].accuracy, annAccuracy: evaluation.ann.accuracy };
    };
    const settings = {
      seed: options.seed,
      epochs: options.epochs,
      batchSize: options.batchSize,
      numSteps: T,
      maxTokens: options.maxTokens,
      learningRate: options.learningRate,
      weightDecay: options.weightDecay,
      surrogate: options.surrogate,
      detachReset: false,
      schedule: options.schedule,
      trainer: {
        rateScale: options.rateScale,
        ...(prepared.learned ? { table: { values: centred.probabilities, learn: { low: -config.centre, high: 1, frozenColumns: [config.dim] } } } : {}),
        ...(options.dropout > 0 ? { dropout: { layer: 'fc', rate: options.dropout } } : {}),
      },
    };
    const result = await finetuneSpiking(backends.ops, centred, train, settings, evaluate, log);
    const kept = result.history[result.bestEpoch];
    log(`kept epoch ${result.bestEpoch}: dev accuracy ${(100 * kept.devAccuracy).toFixed(2)}%; ${Math.round(result.seconds)} s`);
    const loss =
      (config.readout === 'spikes'
        ? `cross-entropy of ${options.rateScale} × the output spike rate (each class's ${config.population} neurons averaged over the T steps)`
        : `cross-entropy of ${options.rateScale} × the readout's currents averaged over the T steps`) + (options.dropout > 0 ? `, dropout ${options.dropout} on the classifier's input` : '');
    const { record, notes } = fromScratchRecord(options, { method: 'lite-snn', numSteps: T, surrogate: options.surrogate, loss, schedule: options.schedule }, result, train.length, dev.length, backends.detail);
    const trained = directInputModel(prepared, config.centre, foldCentre(result.weights, config), uncentred(result.table), {
      population: config.population,
      classes: dataset.classes,
      numSteps: T,
      seed: options.seed,
      provenance: { ...provenance, notes },
      metrics: { ...metrics, finetune: record },
      layers: result.spec.layers,
    });
    await saveModelDir(options.out, trained.config, trained.stored);
    await writeFile(join(options.out, 'README.md'), renderModelCard(trained.config, options.out), 'utf8');
    log(`wrote ${options.out} (evaluate it with: spikescope eval --model ${options.out} --write)`);
  } finally {
    backends.close();
  }
}

/** What a model trained from random weights records of its training (`metrics.finetune`), and the note of its provenance. */
export function fromScratchRecord(
  options: TrainCommandOptions,
  how: Pick<FinetuneRecord, 'numSteps' | 'surrogate' | 'loss' | 'schedule'> & { method: 'lite-snn' | 'lstm' },
  result: FinetuneResult,
  trainSize: number,
  devSize: number,
  backend: string,
): { record: FinetuneRecord; notes: string } {
  const record: FinetuneRecord = {
    ...how,
    encoding: 'direct',
    command: options.command,
    backend,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    weightDecay: options.weightDecay,
    maxTokens: options.maxTokens,
    seed: options.seed,
    trainSize,
    devSize,
    devSeeds: [options.seed],
    epochs: options.epochs,
    steps: result.steps,
    bestEpoch: result.bestEpoch,
    history: result.history,
    seconds: result.seconds,
  };
  const kept = result.history[result.bestEpoch];
  const notes = `trained from seeded random weights: ${result.steps} steps, kept epoch ${result.bestEpoch}/${options.epochs} by dev accuracy (${(100 * kept.devAccuracy).toFixed(2)}%), ${Math.round(result.seconds)} s on ${backend}`;
  return { record, notes };
}

/** The table as `embeddingTensor` takes it: centred, without the presence column (a learned one is stored as trained, p in [0, 1]). */
function centredOf(prepared: PreparedVocabulary, table: Float32Array | null, centre: number): Float32Array {
  // A frozen GloVe table is stored as it came (I8); only a learned one is written from these values.
  if (prepared.stored) return new Float32Array(0);
  const D = prepared.dim;
  const rows = prepared.vocabulary.size;
  const out = new Float32Array(rows * D);
  for (let r = 0; r < rows; r++) for (let d = 0; d < D; d++) out[r * D + d] = (table ? table[r * (D + 1) + d] : prepared.probabilities[r * D + d]) - centre;
  return out;
}

function describeLite(dataset: keyof typeof DATASETS, prepared: PreparedVocabulary, config: LiteSnnConfig, T: number): string {
  const input = prepared.learned ? `a learned ${prepared.dim}-d character table` : `${prepared.dim}-d GloVe vectors (frozen)`;
  return (
    `${DATASETS[dataset].title}: LITE-SNN over ${input}, each word presented as a direct analog input for ${T} steps to ${config.hidden} leaky (PLIF) neurons ` +
    `whose membrane carries over from word to word (learned leak and threshold per neuron channel, soft reset)` +
    `${(config.depth ?? 1) > 1 ? `, ${config.depth} such layers, each after the first reading the spikes of the one before` : ''}; their spikes summed over the words feed ` +
    (config.readout === 'spikes' ? `${config.classes} × ${config.population} PLIF output neurons` : `a linear readout whose currents, summed over the steps, are the scores`) +
    '. Trained directly by backpropagation through time with a surrogate gradient.'
  );
}
