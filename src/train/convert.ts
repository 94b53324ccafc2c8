/**
 * `spikescope convert`: re-converts a model folder made by `train --method lv-if` with other
 * conversion settings (threshold percentiles, default T), without training again. The trained ANN
 * is read back from the folder: the convolution without its presence component, the classifier,
 * the (centred) probability table; thresholds are balanced again on training sentences.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dataset } from '../data/dataset';
import { isDatasetName } from '../data/dataset';
import { InputError } from '../engine/errors';
import type { LoadedModel } from '../model/format';
import { loadModelDir, MODEL_WEIGHTS_FILE, saveModelDir } from '../model/node-io';
import { readSafetensors } from '../model/safetensors';
import { joinConvWeights } from '../layers/conv';
import { layerModule } from '../layers/registry';
import type { ConvLayerSpec } from '../model/spec';
import { seededPermutation } from './batches';
import { collectActivations, percentile } from './calibrate';
import { lvIfModel } from './export';
import { datasetWithDev, openTrainOps } from './pipeline';
import type { BackendChoice } from '../engine/types';
import { encodeExamples, type PreparedVocabulary } from './prepare';
import { TextCnnTrainer, type TextCnnConfig, type TextCnnParameters } from './textcnn';

/** Percentiles (0–100) of the ANN activations used as λ for each IF layer. */
export interface ThresholdPercentiles {
  conv: number;
  pooled: number;
  logits: number;
}

/** The trained ANN of a model folder, with what is needed to run and re-export it. */
export interface TrainedModel {
  config: TextCnnConfig;
  parameters: TextCnnParameters;
  prepared: PreparedVocabulary;
}

/** Reads the trained ANN back from a TextCNN model folder made by `spikescope train`. */
export function trainedModelOf(model: LoadedModel): TrainedModel {
  const spec = model.spec;
  const conv = spec.layers.find((layer) => layer.kind === 'conv') as ConvLayerSpec | undefined;
  const fc = spec.layers.find((layer) => layer.kind === 'linear');
  if (!conv || !fc || fc.kind !== 'linear') throw new InputError('convert needs a TextCNN model (a convolution and a linear classifier)');
  const conversion = (model.config.metrics.conversion ?? {}) as { centre?: number };
  const centre = conversion.centre ?? 0.5;
  const full = conv.inChannels;
  const D = full - 1;
  // The trained weights on p, without the presence component (the last input channel).
  const convWeight = joinConvWeights(conv, (name) => {
    const tensor = model.weights.get(name)!;
    const rows = tensor.length / full;
    const out = new Float32Array(rows * D);
    for (let r = 0; r < rows; r++) out.set(tensor.subarray(r * full, r * full + D), r * D);
    return out;
  });
  const rows = model.vocabulary.size;
  const table = new Float32Array(rows * D);
  for (let r = 0; r < rows; r++) for (let d = 0; d < D; d++) table[r * D + d] = model.probabilities[r * full + d] - centre;
  const encoder = spec.encoder;
  const learned = model.config.embedding.source.startsWith('learned');
  const prepared: PreparedVocabulary = {
    tokenizer: model.config.tokenizer,
    vocabulary: model.vocabulary,
    dim: D,
    stored: null,
    embeddings: model.embeddings,
    mean: encoder.mean,
    std: encoder.std,
    clipSigmas: encoder.clipSigmas,
    clipLowSigmas: encoder.clipLowSigmas ?? encoder.clipSigmas,
    binarySigmas: encoder.binarySigmas,
    statsSource: model.config.embedding.statsSource,
    source: model.config.embedding.source.replace(/ \+ presence component$/, ''),
    probabilities: table,
    learned,
  };
  const config: TextCnnConfig = {
    dim: D,
    widths: [...conv.widths],
    filters: conv.filters,
    classes: fc.outFeatures,
    hidden: { kind: 'relu' },
    pool: (spec.layers.find((layer) => layer.kind === 'pool') as { mode: 'avg' | 'sum' }).mode,
    dropout: 0,
    learnTable: false,
    minLength: encoder.minLength,
    centre,
  };
  return { config, parameters: { convWeight, fcWeight: model.weights.get(`${fc.name}.weight`)!.slice(), hiddenStep: 1, table }, prepared };
}

/** The layer kinds of the IF TextCNN that `train --method lv-if` makes, in order. */
const LV_IF_LAYERS = 'conv → neuron → pool → neuron → linear → neuron';

/**
 * Refuses, with one line that says what to do, a model that convert cannot re-balance: only the IF
 * TextCNN of `train --method lv-if` has thresholds set from activation percentiles. A BIF model
 * (su-bif, su-rnn) is converted losslessly when it is trained and has nothing to re-balance.
 */
export function checkConvertible(model: LoadedModel, dir: string): void {
  const method = (model.config.metrics.conversion as { method?: unknown } | undefined)?.method;
  const models = [...new Set(model.spec.layers.flatMap((layer) => layerModule(layer.kind).neuron?.(layer)?.model ?? []))];
  const layout = model.spec.layers.map((layer) => layer.kind).join(' → ');
  if (method === 'lv-if' && layout === LV_IF_LAYERS && models.every((name) => name === 'IF')) return;
  const made = typeof method === 'string' ? `'train --method ${method}'` : 'no known conversion';
  const lossless = method === 'su-bif' || method === 'su-rnn';
  throw new InputError(
    `${dir}: is a ${models.join('/') || 'non-spiking'} model made by ${made}; convert re-balances only the IF TextCNN made by 'spikescope train --method lv-if'` +
      (lossless ? `, and this model's conversion is lossless with nothing to re-balance: to change it, train again with 'spikescope train --method ${method}'` : ': train one with that method, then convert it'),
  );
}

/** Up to 2000 training sentences (seeded) for threshold balancing. */
export function calibrationSentences(dataset: Dataset, prepared: PreparedVocabulary, seed: number) {
  const train = encodeExamples(dataset.train, prepared);
  return seededPermutation(train.length, seed, 4242).slice(0, 2000).map((i) => train[i]);
}

/** Re-converts an IF model folder with new percentiles and default T; writes `out`. */
export async function runConvertCommand(
  options: { model: string; out: string; dataDir?: string; percentiles: ThresholdPercentiles; numSteps?: number; backend: BackendChoice; command: string },
  log: (line: string) => void,
): Promise<void> {
  const model = await loadModelDir(options.model);
  const metrics = model.config.metrics as { dataset?: string; testSplit?: { seed?: number }; conversion?: { method?: string } };
  checkConvertible(model, options.model);
  if (!metrics.dataset || !isDatasetName(metrics.dataset)) throw new InputError(`${options.model}: metrics.dataset is missing or names no known dataset; convert needs the dataset the model was trained on (a model made by 'spikescope train --method lv-if')`);
  const trained = trainedModelOf(model);
  const dataset = await datasetWithDev(metrics.dataset, options.dataDir, metrics.testSplit?.seed ?? 1);
  const sentences = calibrationSentences(dataset, trained.prepared, model.config.provenance.seed);
  const backend = await openTrainOps(options.backend);
  try {
    const trainer = new TextCnnTrainer(backend.ops, trained.config, trained.parameters, 50, 64);
    const activations = await collectActivations(trainer, sentences, 50, 64);
    const lambdas = {
      conv: percentile(activations.conv, options.percentiles.conv),
      pooled: percentile(activations.pooled, options.percentiles.pooled),
      logits: percentile(activations.logits, options.percentiles.logits),
    };
    log(`λ (ANN activation percentiles ${options.percentiles.conv} / ${options.percentiles.pooled} / ${options.percentiles.logits}): conv ${lambdas.conv.toPrecision(4)}, pool ${lambdas.pooled.toPrecision(4)}, logits ${lambdas.logits.toPrecision(4)}`);
    const stored = readSafetensors(new Uint8Array(await readFile(join(options.model, MODEL_WEIGHTS_FILE))), MODEL_WEIGHTS_FILE);
    const { evaluatedAt: _a, evalCommand: _b, ann: _c, snn: _d, testSize: _e, ...kept } = model.config.metrics as Record<string, unknown>;
    const made = lvIfModel({
      prepared: trained.prepared,
      config: trained.config,
      parameters: trained.parameters,
      classes: model.spec.readout.classes,
      lambdas,
      percentiles: { ...options.percentiles },
      numSteps: options.numSteps ?? model.config.numSteps,
      seed: model.config.seed,
      provenance: {
        name: model.config.name,
        description: model.config.description,
        command: model.config.provenance.command,
        dataset: model.config.provenance.dataset,
        split: model.config.provenance.split,
        seed: model.config.provenance.seed,
        notes: `${model.config.provenance.notes}; re-converted: ${options.command}`,
      },
      metrics: kept,
      embedding: { record: stored.get(model.config.embedding.tensor)!, config: model.config.embedding },
    });
    await saveModelDir(options.out, made.config, made.weights);
    log(`wrote ${options.out}`);
  } finally {
    backend.close();
  }
}
