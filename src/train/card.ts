/**
 * A model's card as Markdown (`README.md` next to `model.json`): how it was made (command, seed,
 * data split, training) and what it scored (the `spikescope eval` results stored in its metrics).
 * Pure: rendered from the config alone, so the card cannot disagree with the model.
 */
import type { ModelConfig } from '../model/format';
import type { EncoderSpec, NetworkSpec } from '../model/spec';
import { layerModule } from '../layers/registry';
import { NEURON_MODELS } from '../neurons/models';
import { ENERGY_PRESETS } from '../model/energy';
import type { Evaluation, SnnEvaluation } from './evaluate';
import type { FinetuneRecord } from './finetune-run';

const percent = (x: number) => `${(100 * x).toFixed(2)}`;

/** The table of an evaluation: one row per T. */
export function evaluationTable(evaluation: Pick<Evaluation, 'ann' | 'snn'>): string {
  const layers = [...new Set(evaluation.snn.flatMap((run) => Object.keys(run.firingRates)))];
  // The ratio under the other presets (architecture §4.1), where the evaluation has them.
  const presets = evaluation.snn.some((run) => run.presets) ? ENERGY_PRESETS.slice(1) : [];
  const head = ['T', 'encoding', 'SNN acc. %', 'agrees with ANN %', 'SNN µJ', 'ANN µJ', 'SNN / ANN', ...presets.map((p) => `SNN / ANN, ${p.label}`), ...layers.map((l) => `rate ${l}`)];
  const row = (run: SnnEvaluation) => [
    String(run.numSteps),
    run.encoding,
    percent(run.accuracy),
    (100 * run.agreementWithAnn).toFixed(1),
    run.energyPerSentence.snnMicrojoules.toFixed(2),
    run.energyPerSentence.annMicrojoules.toFixed(2),
    run.energyPerSentence.ratio.toFixed(3),
    ...presets.map((p) => run.presets?.[p.id]?.ratio.toFixed(3) ?? '–'),
    ...layers.map((l) => (run.firingRates[l] ?? 0).toFixed(3)),
  ];
  return [
    `ANN twin accuracy: **${percent(evaluation.ann.accuracy)} %**`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...evaluation.snn.map((run) => `| ${row(run).join(' | ')} |`),
  ].join('\n');
}

/** The fine-tuning section: its command, settings and history (epoch 0 is the model as converted). */
export function finetuneSection(record: FinetuneRecord): string[] {
  const dev = `${record.devSize} sentences${record.devSeeds.length > 1 ? `, mean over seeds ${record.devSeeds.join(' and ')}` : ''}`;
  const surrogate = record.surrogate.kind === 'fast-sigmoid' ? `fast-sigmoid (slope ${record.surrogate.slope})` : 'piecewise-linear';
  const cell = (x: number | null) => (x === null ? '–' : percent(x));
  const direct = record.method !== undefined;
  const start = direct ? 'the untrained network' : 'the model as converted';
  if (record.method === 'lstm') {
    return [
      '### Training (ANN, from random weights)',
      '',
      '```sh',
      record.command.replace(/^spikescope /, 'npm run -s spikescope -- '),
      '```',
      '',
      `Backpropagation through time in the LSTM; loss: ${record.loss}; AdamW lr ${record.learningRate}, weight decay ${record.weightDecay}, batch ${record.batchSize}; ` +
        `${record.steps} steps on ${record.trainSize} training sentences (cut at ${record.maxTokens} tokens), seed ${record.seed}; ${Math.round(record.seconds)} s on ${record.backend}. ` +
        `Epoch 0 is ${start}; the epoch with the best dev accuracy (${record.devSize} sentences) is kept.`,
      '',
      '| epoch | train loss | train acc. % | dev acc. % | s |',
      '|---|---|---|---|---|',
      ...record.history.map((e) => `| ${e.epoch}${e.epoch === 0 ? ' (untrained)' : ''}${e.epoch === record.bestEpoch ? ' (kept)' : ''} | ${e.trainLoss === null ? '–' : e.trainLoss.toFixed(4)} | ${cell(e.trainAccuracy)} | ${percent(e.devAccuracy)} | ${e.seconds.toFixed(0)} |`),
    ];
  }
  return [
    direct ? '### Training (SNN, surrogate gradient, from random weights)' : '### Fine-tuning (SNN, surrogate gradient)',
    '',
    '```sh',
    record.command.replace(/^spikescope /, 'npm run -s spikescope -- '),
    '```',
    '',
    `Backpropagation through time in the spiking network at T = ${record.numSteps}${direct ? ' per word' : ''}, ${record.encoding ?? 'rate'} input, ${surrogate} surrogate spike derivative; ` +
      `loss: ${record.loss}; AdamW lr ${record.learningRate}${record.schedule === 'cosine' ? ' falling to 0 on a cosine' : ''}, weight decay ${record.weightDecay}, batch ${record.batchSize}; ` +
      `${record.steps} steps on ${record.trainSize} training sentences (cut at ${record.maxTokens} tokens), seed ${record.seed}; ` +
      `${Math.round(record.seconds)} s on ${record.backend}. Epoch 0 is ${start}; ${record.keep === 'last' ? `the last epoch is kept (--keep last); dev SNN accuracy (${dev}) is given for reference` : `the epoch with the best dev SNN accuracy (${dev}) is kept`}.`,
    '',
    `| epoch | train loss | train acc. % | dev SNN acc. % (T = ${record.numSteps}) | dev ANN twin acc. % | s |`,
    '|---|---|---|---|---|---|',
    ...record.history.map(
      (e) =>
        `| ${e.epoch}${e.epoch === 0 ? (direct ? ' (untrained)' : ' (as converted)') : ''}${e.epoch === record.bestEpoch ? ' (kept)' : ''} | ${e.trainLoss === null ? '–' : e.trainLoss.toFixed(4)} | ${cell(e.trainAccuracy)} | ${percent(e.devAccuracy)} | ${percent(e.devAnnAccuracy)} | ${e.seconds.toFixed(0)} |`,
    ),
  ];
}

/** Another model evaluated on the same test split (`eval --baseline`), e.g. the LSTM beside a LITE-SNN. */
export interface BaselineRecord {
  /** Its folder, as given to eval. */
  model: string;
  name: string;
  /** Test accuracy: its SNN's at its default T, or its ANN's when it has no spiking neurons. */
  accuracy: number;
  parameters: number;
  /** Energy per test sentence, µJ (architecture §4). */
  microjoules: number;
  numSteps: number | null;
}

/** Trained parameters of a model: its layer tensors and learned leaks and thresholds (the input table excluded). */
export function trainableParameters(model: { spec: NetworkSpec; weights: Map<string, Float32Array> }): number {
  let count = 0;
  for (const tensor of model.weights.values()) count += tensor.length;
  for (const layer of model.spec.layers) {
    const neuron = layerModule(layer.kind).neuron?.(layer);
    if (neuron && NEURON_MODELS[neuron.model].learns.length > 0) count += neuron.vThreshold.length + (Array.isArray(neuron.beta) ? neuron.beta.length : 1);
  }
  return count;
}

/** The comparison with a baseline: this model's runs beside the baseline's accuracy, size and energy. */
function baselineSection(metrics: Partial<Evaluation> & { baseline?: BaselineRecord; parameters?: number }): string[] {
  const baseline = metrics.baseline;
  if (!baseline || !metrics.snn) return [];
  const own = metrics.parameters ?? 0;
  return [
    '',
    `### Against ${baseline.name}`,
    '',
    `The same test sentences; the baseline is \`${baseline.model}\`, evaluated as its own card${baseline.numSteps ? ` (T = ${baseline.numSteps})` : ' (an ANN)'}.`,
    '',
    '| model | test acc. % | parameters | µJ per sentence |',
    '|---|---|---|---|',
    ...metrics.snn.map((run) => `| this model, T = ${run.numSteps} (${run.encoding}) | ${percent(run.accuracy)} | ${own.toLocaleString('en-US')} | ${run.energyPerSentence.snnMicrojoules.toFixed(2)} |`),
    `| ${baseline.name} | ${percent(baseline.accuracy)} | ${baseline.parameters.toLocaleString('en-US')} | ${baseline.microjoules.toFixed(2)} |`,
  ];
}

/** The whole card. */
export function renderModelCard(config: ModelConfig, folder: string): string {
  const metrics = config.metrics as Partial<Evaluation> & {
    training?: { history: { epoch: number; trainLoss: number; trainAccuracy: number; devAccuracy: number; seconds: number }[]; bestEpoch: number; seconds: number };
    conversion?: Record<string, unknown>;
    finetune?: FinetuneRecord;
    evalCommands?: string[];
    evaluatedAt?: string;
    baseline?: BaselineRecord;
    parameters?: number;
  };
  const lines = [
    `# ${config.name}`,
    '',
    config.description,
    '',
    '## How it was made',
    '',
    '```sh',
    config.provenance.command.replace(/^spikescope /, 'npm run -s spikescope -- '),
    '```',
    '',
    `- dataset: ${config.provenance.dataset}; split: ${config.provenance.split}`,
    `- seed: ${config.provenance.seed}; created ${config.provenance.createdAt}`,
    `- ${config.provenance.notes}`,
    `- network: ${config.network.layers.map((layer) => `${layer.name} (${layer.kind === 'neuron' ? layer.model : layer.kind === 'sequence-neuron' ? `${layer.model} over the words` : layer.kind === 'lstm' ? `LSTM, ${layer.hidden} units` : layer.kind === 'token-recurrent' ? `token-recurrent ${layer.neuron.model}, ${layer.hidden} units` : layer.kind})`).join(' → ')}`,
    `- input: ${inputDescription(config.network.encoder)} of ${config.embedding.source}; μ = ${config.network.encoder.mean.toPrecision(5)}, σ = ${config.network.encoder.std.toPrecision(5)}, ${config.network.encoder.binarySigmas !== undefined ? `binary: 1 at or above μ + ${config.network.encoder.binarySigmas}σ` : `clip ±${config.network.encoder.clipSigmas}σ`} (${config.embedding.statsSource})`,
    `- vocabulary: ${config.vocabulary.length} ${config.tokenizer === 'chinese' ? 'characters' : 'words'}; default T = ${config.numSteps}`,
  ];
  if (metrics.conversion) lines.push(`- conversion: ${JSON.stringify(metrics.conversion)}`);
  if (metrics.training) {
    lines.push('', '### Training (ANN)', '', '| epoch | train loss | train acc. % | dev acc. % | s |', '|---|---|---|---|---|');
    for (const e of metrics.training.history) lines.push(`| ${e.epoch}${e.epoch === metrics.training.bestEpoch ? ' (kept)' : ''} | ${e.trainLoss.toFixed(4)} | ${percent(e.trainAccuracy)} | ${percent(e.devAccuracy)} | ${e.seconds.toFixed(0)} |`);
  }
  if (metrics.finetune) lines.push('', ...finetuneSection(metrics.finetune));
  lines.push('', '## What it scored', '');
  if (metrics.ann && metrics.snn) {
    lines.push(`On the ${metrics.dataset} ${metrics.split ?? 'test'} split (${metrics.testSize} sentences), seed ${metrics.seed}, ${metrics.backend}:`, '', evaluationTable(metrics as Evaluation), '');
    if (config.network.layers.some((layer) => layer.kind === 'sequence-neuron')) {
      lines.push(`The ANN twin of neurons over the words is their \`ann\` activation (ReLU) applied word by word, without the membrane that carries the sentence: the same weights, not a trained network.${metrics.baseline ? ' The baseline below is the fair comparison.' : ''}`, '');
    }
    lines.push('Energy per sentence: [architecture §4](../../../docs/architecture.md) (4.6 pJ per MAC, 0.9 pJ per AC, every layer counted, the first included, and every neuron\'s update at every step; the other presets: 8-bit integer arithmetic, 0.3 pJ per MAC and 0.1 pJ per AC; float arithmetic with every memory access priced by the size of its memory; and the SNN on Intel\'s Loihi at the figures its makers published, 23.6 pJ per synaptic operation, 52 pJ per neuron update and 1.7 pJ per spike, against the ANN with its memory).', '');
    const versus = baselineSection(metrics);
    if (versus.length) lines.push(...versus.slice(1), '');
    if (metrics.split === 'dev') {
      lines.push('These are the texts held out while training (they chose the epoch, so they flatter it a little); the command above trains and evaluates it again.');
    } else {
      const commands = metrics.evalCommands ?? [`spikescope eval --model ${folder}`];
      lines.push('Reproduce:', '', '```sh', ...commands.map((command) => command.replace(/^spikescope /, 'npm run -s spikescope -- ')), '```');
    }
  } else {
    lines.push('Not evaluated yet: run `spikescope eval --model DIR --write`.');
  }
  return `${lines.join('\n')}\n`;
}

/** How the encoder presents the input, in words. */
function inputDescription(encoder: EncoderSpec): string {
  if (encoder.presentation !== 'first-step') return `${encoder.kind} encoding`;
  if (encoder.binarySigmas !== undefined && encoder.kind === 'rate') return 'binary spikes presented once, at the first step (one spike per component at or above the threshold)';
  return `${encoder.kind} encoding presented once, at the first step${encoder.kind === 'direct' ? ' (analog)' : ''}`;
}
