/**
 * The LSTM baseline of LITE-SNN (architecture §2.6): `spikescope train --method lstm` trains, on the
 * same frozen GloVe input (or a learned character table), `lstm → average over the words → linear`,
 * an ANN, with the generic trainer in its ANN mode, and writes a model folder that every command
 * reads: its ANN twin is the network itself (its SNN run gives the same scores, one step). Its card
 * gives the parameters and the multiply-accumulates per word that the LITE-SNN card compares with.
 * Node only.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATASETS } from '../data/dataset';
import { describeSplit } from '../data/split';
import type { LoadedModel } from '../model/format';
import { saveModelDir } from '../model/node-io';
import { randomUniformTensor } from '../model/random-tensor';
import type { LayerSpec } from '../model/spec';
import { lstmMacsPerPosition } from '../layers/lstm';
import { renderModelCard } from './card';
import { openBackends, withLayerWeights } from './finetune-command';
import { finetuneSpiking } from './finetune-run';
import { evaluateModel } from './evaluate';
import { centredTable, directInputModel, foldCentre, fromScratchRecord, uncentredTable } from './lite-snn';
import { recordedSplit, tableCentre, trainingData, type TrainCommandOptions } from './pipeline';

export interface LstmBaselineConfig {
  dim: number;
  hidden: number;
  classes: number;
  centre: number;
}

export function lstmLayers(config: LstmBaselineConfig): LayerSpec[] {
  return [
    { kind: 'lstm', name: 'lstm', hidden: config.hidden },
    { kind: 'pool', name: 'pool', mode: 'avg' },
    { kind: 'linear', name: 'fc', inFeatures: config.hidden, outFeatures: config.classes, bias: true },
  ];
}

/** Seeded initial weights (PyTorch's: uniform ±1/√H), the forget gate's bias 1; the input is centred (presence weight 0). */
export function lstmWeights(config: LstmBaselineConfig, seed: number): Map<string, Float32Array> {
  const H = config.hidden;
  const range = 1 / Math.sqrt(H);
  const bias = new Float32Array(4 * H);
  bias.fill(1, H, 2 * H);
  const input = randomUniformTensor(seed, 'lstm.inputWeight', 4 * H * (config.dim + 1), -range, range);
  for (let r = 0; r < 4 * H; r++) input[r * (config.dim + 1) + config.dim] = 0;
  const fcRange = Math.sqrt(3 / H);
  return new Map([
    ['lstm.inputWeight', input],
    ['lstm.recurrentWeight', randomUniformTensor(seed, 'lstm.recurrentWeight', 4 * H * H, -range, range)],
    ['lstm.bias', bias],
    ['fc.weight', randomUniformTensor(seed, 'fc.weight', config.classes * H, -fcRange, fcRange)],
    ['fc.bias', new Float32Array(config.classes)],
  ]);
}

/** Trainable parameters of the network (the frozen table excluded). */
export function lstmParameters(config: Pick<LstmBaselineConfig, 'dim' | 'hidden' | 'classes'>): number {
  const H = config.hidden;
  return 4 * H * (config.dim + 1) + 4 * H * H + 4 * H + config.classes * H + config.classes;
}

export interface LstmCommandOptions extends TrainCommandOptions {
  hidden: number;
}

/** Trains the LSTM baseline and writes its model folder with a card. */
export async function runLstmTrainCommand(options: LstmCommandOptions, log: (line: string) => void): Promise<void> {
  const { dataset, prepared, train } = await trainingData(options, log);
  const dev = dataset.dev ?? [];
  const config: LstmBaselineConfig = { dim: prepared.dim, hidden: options.hidden, classes: dataset.classes.length, centre: tableCentre(prepared) };
  const fold = (weights: Map<string, Float32Array>) => foldCentre(weights, config, 'lstm.inputWeight');
  const uncentred = (table: Float32Array | null) => table && uncentredTable(table, config.dim, config.centre);
  const parameters = lstmParameters(config);
  const macsPerWord = lstmMacsPerPosition(config.dim + 1, config.hidden);
  const name = options.name ?? `${DATASETS[dataset.name].title.split(' (')[0]} LSTM baseline (${config.hidden} units)`;
  const description = `${DATASETS[dataset.name].title}: an LSTM of ${config.hidden} units over ${prepared.learned ? `a learned ${prepared.dim}-d character table` : `${prepared.dim}-d GloVe vectors (frozen)`}, its outputs averaged over the words, a linear classifier. An ANN: the baseline LITE-SNN is compared with (${parameters} parameters, ${macsPerWord} multiply-accumulates per word).`;
  const provenance = { name, description, command: options.command, dataset: dataset.name, split: describeSplit(dataset), seed: options.seed, notes: '' };
  const metrics = { dataset: dataset.name, testSplit: recordedSplit(dataset), architecture: { kind: 'lstm', hidden: config.hidden, parameters, macsPerWord } };
  const weights = lstmWeights(config, options.seed);
  const model = (trained: Map<string, Float32Array>, table: Float32Array | null, extra: Record<string, unknown>, notes: string) =>
    directInputModel(prepared, config.centre, fold(trained), uncentred(table), { layers: lstmLayers(config), population: 1, classes: dataset.classes, numSteps: 1, seed: options.seed, provenance: { ...provenance, notes }, metrics: { ...metrics, ...extra } });
  const initial = model(weights, null, {}, '').model;
  const table = centredTable(initial.probabilities, config.dim, config.centre);
  const backends = await openBackends(options.backend);
  log(`training the LSTM (${config.hidden} units, ${parameters} parameters) on ${backends.detail}: ${options.epochs} epochs of ${Math.ceil(train.length / options.batchSize)} batches of ${options.batchSize}, AdamW lr ${options.learningRate}`);
  try {
    const evaluate = async (candidate: Map<string, Float32Array>, spec: LoadedModel['spec'], learned: Float32Array | null) => {
      const evaluation = await evaluateModel({ model: withLayerWeights(initial, fold(candidate), spec, uncentred(learned)), examples: dev, backend: backends.engine, stepsSweep: [1], encoding: 'direct', seed: options.seed, dataset: dataset.name });
      return { snnAccuracy: evaluation.ann.accuracy, annAccuracy: evaluation.ann.accuracy };
    };
    const settings = {
      seed: options.seed,
      epochs: options.epochs,
      batchSize: options.batchSize,
      numSteps: 1,
      maxTokens: options.maxTokens,
      learningRate: options.learningRate,
      weightDecay: options.weightDecay,
      surrogate: { kind: 'piecewise-linear' as const },
      detachReset: false,
      trainer: {
        mode: 'ann' as const,
        table: { values: table, ...(prepared.learned ? { learn: { low: -config.centre, high: 1, frozenColumns: [config.dim] } } : {}) },
        ...(options.dropout > 0 ? { dropout: { layer: 'fc', rate: options.dropout } } : {}),
      },
    };
    const result = await finetuneSpiking(backends.ops, { spec: initial.spec, weights, probabilities: table }, train, settings, evaluate, log);
    const kept = result.history[result.bestEpoch];
    log(`kept epoch ${result.bestEpoch}: dev accuracy ${(100 * kept.devAccuracy).toFixed(2)}%; ${Math.round(result.seconds)} s`);
    const loss = `cross-entropy of the logits${options.dropout > 0 ? `, dropout ${options.dropout} on the classifier's input` : ''}`;
    const { record, notes } = fromScratchRecord(options, { method: 'lstm', numSteps: 1, surrogate: settings.surrogate, loss }, result, train.length, dev.length, backends.detail);
    const trained = model(result.weights, result.table, { finetune: record }, notes);
    await saveModelDir(options.out, trained.config, trained.stored);
    await writeFile(join(options.out, 'README.md'), renderModelCard(trained.config, options.out), 'utf8');
    log(`wrote ${options.out} (evaluate it with: spikescope eval --model ${options.out} --write)`);
  } finally {
    backends.close();
  }
}
