import { backendChoice } from './node-engine';
import { resolveBackend } from '../engine/choose-backend';
import { integerFlag, parseFlags, commandLine } from './flags';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, isDatasetName } from '../data/dataset';
import { readLabelledTextFile } from '../data/labelled-text';
import { labelToClass } from '../ui/batch-summary';
import { readTrainingFileAt } from './train-file';
import { loadDataset } from '../data/load';
import { devFromTrain } from '../data/split';
import { createCpuBackend, GpuBackend, type Backend } from '../engine/backends';
import { nodeGpu } from '../gpu/node-gpu';
import { parseModel } from '../model/format';
import { loadModelDir, MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE } from '../model/node-io';
import { renderModelCard, trainableParameters, type BaselineRecord } from '../train/card';
import { isSpikingKind } from '../model/spec';
import { evaluateModel, type Evaluation, type SnnEvaluation } from '../train/evaluate';
import { UsageError } from './errors';

export const EVAL_USAGE = `eval     --model DIR [--data-dir DIR] [--file F] [--split test|dev] [--steps 4,8,16,32,50] [--encoding rate|direct] [--seed N]
           [--limit N] [--backend auto|gpu|cpu|reference] [--json] [--write] [--card] [--baseline DIR]
           accuracy of the ANN twin and of the SNN at each T on the model's test split, firing rates,
           energy per sentence; --write stores the results in the model's model.json (its card);
           --card only renders the card again from model.json; --baseline evaluates another model of
           the same dataset (e.g. the LSTM of train --method lstm) beside it: accuracy, parameters, energy;
           --file F evaluates on your own labelled texts instead (the layouts of train --file); --split dev
           on the dev split training chose its epochs with (to compare settings without the test split)`;

/**
 * The test sentences of the model's dataset, with the split the model recorded (checked); or its
 * dev sentences, the corpus's own or the seeded share of train that training chose epochs with.
 */
async function testSet(metrics: Record<string, unknown>, dataDir: string | undefined, which: 'test' | 'dev' = 'test') {
  const name = String(metrics.dataset ?? '');
  if (!isDatasetName(name)) throw new UsageError(`the model's metrics.dataset is '${name}', not a known dataset; it was not made by spikescope train`);
  const split = (metrics.testSplit ?? { kind: 'given' }) as { kind: string; seed?: number; testIndices?: number[] };
  const dataset = await loadDataset(name, { dataDir, seed: split.seed ?? 1 });
  if (split.kind === 'seeded' && dataset.split.kind === 'seeded') {
    const actual = dataset.split.testIndices;
    const same = split.testIndices?.length === actual.length && split.testIndices.every((v, i) => v === actual[i]);
    if (!same) throw new UsageError(`the seeded test split of ${name} (seed ${split.seed}) differs from the one recorded in the model; the data has changed`);
  }
  if (which === 'dev') return { name, test: (dataset.dev ?? devFromTrain(dataset, 0.1, split.seed ?? 1).dev)! };
  return { name, test: dataset.test };
}

/** Labelled texts from a file (the layouts of `train --file`), their labels mapped to the model's classes by name or number. */
async function fileSet(path: string, classes: readonly string[]) {
  const file = await readTrainingFileAt(path);
  let parsed;
  try {
    parsed = readLabelledTextFile(file.text);
  } catch (error) {
    throw new DataError(`${file.name}: ${(error as Error).message.replace(/^the text file: /, '')}`);
  }
  const test = parsed.texts.map((text, i) => {
    const label = parsed.labels[i];
    const index = label === null ? -1 : labelToClass(label, classes);
    if (index < 0) throw new DataError(`${file.name}: text ${i + 1} has ${label === null ? 'no label' : `the label "${label}", which is none of the model's classes (${classes.join(', ')})`}; every text needs one of them`);
    return { text, label: index };
  });
  if (test.length === 0) throw new DataError(`${file.name} holds no text`);
  return { name: file.name, test };
}

/**
 * Another model evaluated on the same test sentences, as its own card would (its default T and
 * encoding; a network without spiking neurons, such as the LSTM, is its own ANN twin).
 */
async function evaluateBaseline(dir: string, dataset: string, examples: Parameters<typeof evaluateModel>[0]['examples'], backend: Backend, log: ((line: string) => void) | undefined): Promise<BaselineRecord> {
  const model = await loadModelDir(dir);
  if (model.config.metrics.dataset !== dataset) throw new UsageError(`--baseline ${dir} is a model of ${String(model.config.metrics.dataset)}, not of ${dataset}: the two must share the test split`);
  log?.(`baseline ${model.config.name}:`);
  const evaluation = await evaluateModel({ model, examples, backend, stepsSweep: [model.config.numSteps], encoding: model.config.defaultEncoding, seed: model.config.seed, dataset, log });
  const run = evaluation.snn[0];
  const spiking = model.spec.layers.some((layer) => isSpikingKind(layer.kind));
  return {
    model: dir,
    name: model.config.name,
    accuracy: spiking ? run.accuracy : evaluation.ann.accuracy,
    parameters: trainableParameters(model),
    microjoules: spiking ? run.energyPerSentence.snnMicrojoules : run.energyPerSentence.annMicrojoules,
    numSteps: spiking ? run.numSteps : null,
  };
}

/** Replaces `metrics` in a model folder's model.json, keeping its layout (vocabulary last). */
async function writeMetrics(dir: string, metrics: Record<string, unknown>): Promise<void> {
  const configPath = join(dir, MODEL_CONFIG_FILE);
  const config = JSON.parse(await readFile(configPath, 'utf8'));
  config.metrics = metrics;
  const { vocabulary, ...rest } = config;
  const head = JSON.stringify(rest, null, 2);
  const text = `${head.slice(0, -2)},\n  "vocabulary": ${JSON.stringify(vocabulary)}\n}\n`;
  const weights = await readFile(join(dir, MODEL_WEIGHTS_FILE));
  parseModel(text, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength));
  await writeFile(configPath, text, 'utf8');
}

/** `spikescope eval`: see EVAL_USAGE. */
export async function runEval(argv: string[]): Promise<number> {
  const parsed = parseFlags(argv, {
    model: { type: 'string' },
    'data-dir': { type: 'string' },
    steps: { type: 'string' },
    encoding: { type: 'string' },
    seed: { type: 'string' },
    limit: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'boolean' },
    write: { type: 'boolean' },
    card: { type: 'boolean' },
    baseline: { type: 'string' },
    file: { type: 'string' },
    split: { type: 'string' },
  });
  const v = parsed.values;
  if (!v.model) throw new UsageError('eval needs --model DIR');
  if (v.file && (v.write || v.baseline)) throw new UsageError('--file evaluates on your own texts; --write and --baseline are for the test split of the model\'s dataset');
  const which = v.split ?? 'test';
  if (which !== 'test' && which !== 'dev') throw new UsageError(`--split must be test or dev, got '${which}'`);
  if (which === 'dev' && (v.write || v.baseline || v.file)) throw new UsageError('--split dev compares settings on the dev split; --write, --baseline and --file are for the test split or your own texts');
  const model = await loadModelDir(v.model);
  if (v.card) {
    // Only the card: rendered again from model.json (its stored results), nothing evaluated.
    await writeFile(join(v.model, 'README.md'), renderModelCard(model.config, v.model), 'utf8');
    if (!v.json) console.log(`wrote the card ${join(v.model, 'README.md')} from ${join(v.model, MODEL_CONFIG_FILE)}`);
    return 0;
  }
  const encoding = v.encoding ?? model.config.defaultEncoding;
  if (encoding !== 'rate' && encoding !== 'direct') throw new UsageError(`--encoding must be rate or direct, got '${encoding}'`);
  const stepsSweep = (v.steps ?? '4,8,16,32,50').split(',').map((s) => integerFlag('steps', s, 1, 1, 1000));
  const seed = integerFlag('seed', v.seed, model.config.seed, 0, 0xffffffff);
  const { name, test } = v.file ? await fileSet(v.file, model.spec.readout.classes) : await testSet(model.config.metrics, v['data-dir'], which);
  const limit = integerFlag('limit', v.limit, 0, 0, 1e9);
  const examples = limit > 0 ? test.slice(0, limit) : test;
  const resolved = await resolveBackend(backendChoice(v.backend), nodeGpu, true);
  const backend: Backend = resolved.kind === 'gpu' ? new GpuBackend(resolved.ctx) : createCpuBackend(resolved.kind, resolved.why);
  const log = v.json ? undefined : (line: string) => console.log(line);
  log?.(`${model.config.name} on ${name}${v.file ? '' : ` ${which}`} (${examples.length} sentences${limit > 0 ? `, first ${limit}` : ''}), ${encoding} encoding, seed ${seed}; ${backend.kind}: ${backend.detail}`);
  let evaluation: Evaluation;
  let baseline: BaselineRecord | undefined;
  try {
    evaluation = await evaluateModel({ model, examples, backend, stepsSweep, encoding, seed, dataset: name, split: which, log });
    if (v.baseline) baseline = await evaluateBaseline(v.baseline, name, examples, backend, log);
  } finally {
    backend.dispose();
  }
  if (v.json) console.log(JSON.stringify(evaluation, null, 2));
  if (v.write) {
    if (limit > 0) throw new UsageError('--write needs the whole test split; drop --limit');
    // Runs of other settings (e.g. the other encoding) stay on the card; the same settings are replaced.
    const previous = Array.isArray(model.config.metrics.snn) ? (model.config.metrics.snn as SnnEvaluation[]) : [];
    const kept = previous.filter((run) => !evaluation.snn.some((fresh) => fresh.encoding === run.encoding && fresh.numSteps === run.numSteps));
    const snn = [...kept, ...evaluation.snn].sort((a, b) => (a.encoding === b.encoding ? a.numSteps - b.numSteps : a.encoding === 'rate' ? -1 : 1));
    const commands = [...new Set([...(((model.config.metrics.evalCommands as string[] | undefined) ?? [])), commandLine('eval', argv)])];
    const parameters = trainableParameters(model);
    await writeMetrics(v.model, { ...model.config.metrics, ...evaluation, snn, parameters, ...(baseline ? { baseline } : {}), evaluatedAt: new Date().toISOString(), evalCommands: commands });
    const updated = await loadModelDir(v.model);
    await writeFile(join(v.model, 'README.md'), renderModelCard(updated.config, v.model), 'utf8');
    log?.(`wrote the results into ${join(v.model, MODEL_CONFIG_FILE)} and its card ${join(v.model, 'README.md')}`);
  }
  return 0;
}
