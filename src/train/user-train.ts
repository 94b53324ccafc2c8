/**
 * Training a spiking classifier on a person's own labelled texts: what the app's Train view runs in
 * a worker and `spikescope train --file` runs in Node, the same steps in both. The texts are split
 * (a seeded dev share), looked up in a table (English: the shipped GloVe words, frozen; other
 * scripts: a character table learned with the model), an ANN TextCNN is trained and converted
 * (`textcnn-model.ts`), and the model gets a name, a description and its training history.
 */
import { DataError, type Example } from '../data/dataset';
import type { Backend } from '../engine/backends';
import type { TensorOps } from '../engine/ops';
import { parseModel, serializeModel, type LoadedModel } from '../model/format';
import { renderModelCard, trainableParameters } from './card';
import { evaluateModel, type Evaluation } from './evaluate';
import { tokenize } from '../model/tokenizer';
import type { EncodedExample } from './batches';
import type { ModelProvenance } from './export';
import { characterVocabulary, coverage, encodeExamples, type PreparedVocabulary } from './prepare';
import type { TextCnnHooks, TrainResult } from './run';
import { trainTextCnnModel, type TextCnnOptions, type TrainedTextCnn } from './textcnn-model';
import { classCountsOf, splitDev, type LabelledSet } from './user-data';
import { checkUserSettings, type UserTable, type UserTrainSettings } from './user-settings';

export { checkUserSettings, defaultUserSettings, USER_SETTING_LIMITS, type UserMethod, type UserTable, type UserTrainSettings } from './user-settings';

/** The full options of a TextCNN run for the Train view's settings (the CLI's defaults otherwise). */
export function textCnnOptions(settings: UserTrainSettings): TextCnnOptions {
  return {
    method: settings.method,
    seed: settings.seed,
    epochs: settings.epochs,
    batchSize: 50,
    learningRate: settings.learningRate,
    weightDecay: 1e-2,
    dropout: 0.5,
    filters: 100,
    widths: [3, 4, 5],
    maxTokens: settings.table === 'characters' ? 96 : 64,
    numSteps: settings.numSteps,
    levels: settings.levels,
    outputLevels: 64,
    thresholdPercentile: 99.9,
    outputPercentile: 50,
  };
}

/** Share of tokens a table does not know, and the most frequent unknown ones. */
export interface UnknownWords {
  share: number;
  tokens: number;
  top: { token: string; count: number }[];
}

/** How many of the texts' tokens (whitespace and punctuation split as the model will) the vocabulary lacks. */
export function unknownWords(examples: readonly Example[], prepared: Pick<PreparedVocabulary, 'vocabulary' | 'tokenizer'>, sample = 5000): UnknownWords {
  const counts = new Map<string, number>();
  let tokens = 0;
  let unknown = 0;
  const step = Math.max(1, Math.floor(examples.length / sample));
  for (let i = 0; i < examples.length; i += step) {
    const encoded = prepared.vocabulary.encode(tokenize(examples[i].text, prepared.tokenizer));
    tokens += encoded.ids.length;
    unknown += encoded.unknown.length;
    for (const token of encoded.unknown) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([token, count]) => ({ token, count }));
  return { share: tokens > 0 ? unknown / tokens : 0, tokens, top };
}

/** Which table suits texts: characters when CJK characters are a third of the letters or more, else GloVe. */
export function suggestedTable(examples: readonly Example[]): UserTable {
  let cjk = 0;
  let letters = 0;
  for (let i = 0; i < examples.length && i < 2000; i++) {
    for (const char of examples[i].text) {
      if (/\p{L}/u.test(char)) letters++;
      if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(char)) cjk++;
    }
  }
  return letters > 0 && cjk / letters >= 1 / 3 ? 'characters' : 'glove';
}

/** The split and encoded sentences of a run. */
export interface UserTrainingData {
  set: LabelledSet;
  train: Example[];
  dev: Example[];
  prepared: PreparedVocabulary;
  encodedTrain: EncodedExample[];
  encodedDev: EncodedExample[];
  /** Share of training tokens the table knows. */
  coverage: number;
}

/**
 * Splits the texts and looks them up: `glove` is the English table (from the GloVe file in Node,
 * from the default model in the page), asked for only when the settings use it.
 */
export async function userTrainingData(set: LabelledSet, settings: Pick<UserTrainSettings, 'table' | 'devFraction' | 'seed'>, glove: () => Promise<PreparedVocabulary>): Promise<UserTrainingData> {
  const { train, dev } = splitDev(set.examples, settings.devFraction, settings.seed);
  // A learned table reads CJK text character by character and other scripts word by word; the model
  // says Chinese only for CJK texts, so that the page does not turn away text in the script it learned.
  const prepared = settings.table === 'glove' ? await glove() : { ...characterVocabulary(train, 64, 2, settings.seed), language: suggestedTable(set.examples) === 'characters' ? ('zh' as const) : ('en' as const) };
  if (prepared.vocabulary.size === 0) throw new DataError('no character occurs twice in the training texts: there is nothing to learn a table from');
  const encodedTrain = encodeExamples(train, prepared);
  const encodedDev = encodeExamples(dev, prepared);
  return { set, train, dev, prepared, encodedTrain, encodedDev, coverage: coverage(encodedTrain) };
}

/** The description a model trained from a file gets. */
export function describeUserModel(data: UserTrainingData, settings: UserTrainSettings): string {
  const counts = classCountsOf(data.set);
  const input = settings.table === 'glove' ? '100-d GloVe vectors (frozen)' : 'a learned 64-d character table';
  const method =
    settings.method === 'su-bif'
      ? `quantised ANN (${settings.levels} levels) converted losslessly to bipolar integrate-and-fire neurons, analog input presented once (Su et al.)`
      : 'ANN converted to integrate-and-fire neurons with balanced thresholds, rate-encoded input (Lv et al.)';
  return `Trained on ${data.set.examples.length} labelled texts (${data.set.classes.map((name, k) => `${name}: ${counts[k]}`).join(', ')}): TextCNN over ${input}, widths 3/4/5 × 100 filters; ${method}.`;
}

/**
 * Trains and converts a model from the data; `where` names the backend and `command` how to make it
 * again (for the card). `hooks` carry progress, pause, cancel and checkpoints.
 */
export async function trainUserModel<T>(
  ops: TensorOps<T>,
  data: UserTrainingData,
  settings: UserTrainSettings,
  context: { where: string; command: string; source: string; hooks?: TextCnnHooks; log?: (line: string) => void },
): Promise<TrainedTextCnn> {
  checkUserSettings(settings);
  const options = textCnnOptions(settings);
  const split = `seeded ${Math.round(settings.devFraction * 100)} % dev (seed ${settings.seed}): ${data.train.length} train / ${data.dev.length} dev`;
  const provenance = (result: TrainResult): ModelProvenance => ({
    name: settings.name,
    description: describeUserModel(data, settings),
    command: context.command,
    dataset: context.source,
    split,
    seed: settings.seed,
    notes: `ANN: ${result.bestEpoch}/${settings.epochs} epochs chosen by dev accuracy (${(100 * result.history[result.bestEpoch - 1].devAccuracy).toFixed(2)}%), ${Math.round(result.seconds)} s on ${context.where}; ${(100 * data.coverage).toFixed(1)} % of the training tokens in the table`,
  });
  return trainTextCnnModel(ops, {
    prepared: data.prepared,
    classes: data.set.classes,
    train: data.encodedTrain,
    dev: data.encodedDev,
    options,
    provenance,
    metrics: (result) => ({ dataset: context.source, training: { history: result.history, bestEpoch: result.bestEpoch, seconds: result.seconds } }),
    hooks: context.hooks,
    log: context.log,
  });
}

/** A trained model ready to save or load: its files, its card, and the dev evaluation they hold. */
export interface FinishedUserModel {
  configText: string;
  weightBytes: Uint8Array;
  card: string;
  model: LoadedModel;
  evaluation: Evaluation;
}

/**
 * The converted model through the inference engine on the dev texts (the SNN at its T against its
 * ANN twin, energy, firing rates), the results stored in its metrics, and its card rendered: the
 * model folder a person takes away.
 */
export async function finishUserModel(
  trained: TrainedTextCnn['model'],
  data: UserTrainingData,
  backend: Backend,
  folder: string,
  log?: (line: string) => void,
): Promise<FinishedUserModel> {
  const first = serializeModel(trained.config, trained.weights);
  const loaded = parseModel(first.configText, first.weightBytes);
  const { config } = loaded;
  const evaluation = await evaluateModel({ model: loaded, examples: data.dev, backend, stepsSweep: [config.numSteps], encoding: config.defaultEncoding, seed: config.seed, dataset: String(config.metrics.dataset ?? 'dev'), split: 'dev', log });
  const metrics = { ...config.metrics, ...evaluation, parameters: trainableParameters(loaded), evaluatedAt: new Date().toISOString() };
  const final = serializeModel({ ...trained.config, metrics }, trained.weights);
  const model = parseModel(final.configText, final.weightBytes);
  return { ...final, model, evaluation, card: renderModelCard(model.config, folder) };
}
