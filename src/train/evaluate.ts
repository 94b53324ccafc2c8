/**
 * `spikescope eval`: a model on the test split of its dataset, through the inference engine
 * (the same executor and kernels as the app): the ANN twin's accuracy, the SNN's accuracy at each T
 * of a sweep, the mean firing rate of every spiking layer, and the energy per sentence of both
 * (architecture §4, every layer counted).
 */
import type { Backend } from '../engine/backends';
import { lengthOrder, nextBatch } from '../engine/engine';
import { sampleEnergy } from '../engine/energy-input';
import { argmax } from '../engine/results';
import type { RunOptions } from '../engine/types';
import type { Example } from '../data/dataset';
import type { LoadedModel } from '../model/format';
import { tokenize } from '../model/tokenizer';
import type { EncodingKind } from '../model/spec';
import { ENERGY_PRESETS, layerEnergy } from '../model/energy';

/** The results of one T. */
export interface SnnEvaluation {
  numSteps: number;
  encoding: EncodingKind;
  accuracy: number;
  /** Fraction of sentences on which the SNN predicts what its ANN twin predicts. */
  agreementWithAnn: number;
  energyPerSentence: { annMicrojoules: number; snnMicrojoules: number; ratio: number };
  /** The same per sentence under each energy preset (`ENERGY_PRESETS`: float, integer, float with memory traffic). */
  presets?: Record<string, { annMicrojoules: number; snnMicrojoules: number; ratio: number }>;
  /** Spike events / (neurons · T), over all test sentences; `input` is the encoder's. */
  firingRates: Record<string, number>;
  /**
   * NeuroBench's system metrics, per sentence: the synaptic operations the SNN performs from the
   * spikes it emits (effective: accumulates and multiply-accumulates) against the operations of the
   * same network run dense (its ANN twin's); the activation sparsity of each spiking layer
   * (1 − firing rate) and over all of them.
   */
  neurobench?: {
    effectiveAcs: number;
    effectiveMacs: number;
    denseSynapticOperations: number;
    activationSparsity: number;
    layerActivationSparsity: Record<string, number>;
  };
}

/** The metrics a model card records (`model.json` `metrics`, read by the app). */
export interface Evaluation {
  dataset: string;
  /** Which sentences: the dataset's test split, or (a model trained from a person's file) its dev split. */
  split: 'test' | 'dev';
  testSize: number;
  seed: number;
  backend: string;
  ann: { accuracy: number };
  snn: SnnEvaluation[];
  /** NeuroBench's static metrics: parameters, their bytes as stored, and the share of zero weights in the synaptic layers. */
  footprint?: { parameters: number; bytes: number; connectionSparsity: number };
}

/** Parameters and bytes of a model's tensors (float32 layer weights, the embedding table as stored), and zero weights' share. */
export function modelFootprint(model: LoadedModel): { parameters: number; bytes: number; connectionSparsity: number } {
  let parameters = 0;
  let zeros = 0;
  let synaptic = 0;
  for (const [name, values] of model.weights) {
    parameters += values.length;
    if (/\.(w\d+|weight)$/.test(name)) {
      synaptic += values.length;
      for (const x of values) if (x === 0) zeros++;
    }
  }
  const table = model.embeddings.length;
  const tableBytes = model.config.embedding.quantScale !== undefined ? table : table * 4;
  return { parameters: parameters + table, bytes: parameters * 4 + tableBytes, connectionSparsity: synaptic > 0 ? zeros / synaptic : 0 };
}

interface Prepared {
  ids: Int32Array;
  label: number;
}

/** Evaluates `model` on `examples` for every T in `stepsSweep`. */
export async function evaluateModel(args: {
  model: LoadedModel;
  examples: readonly Example[];
  backend: Backend;
  stepsSweep: number[];
  encoding: EncodingKind;
  seed: number;
  dataset: string;
  split?: 'test' | 'dev';
  maxBatch?: number;
  log?: (line: string) => void;
}): Promise<Evaluation> {
  const { model, backend } = args;
  const prepared: Prepared[] = args.examples.map((example) => ({
    ids: model.vocabulary.encode(tokenize(example.text, model.config.tokenizer)).ids,
    label: example.label,
  }));
  const ids = prepared.map((sample) => sample.ids);
  const order = lengthOrder(ids);
  const classes = model.spec.readout.classes.length;
  const annPredictions = new Int32Array(prepared.length);
  const runs = [{ mode: 'ann' as const, numSteps: 1 }, ...args.stepsSweep.map((numSteps) => ({ mode: 'snn' as const, numSteps }))];
  const snn: SnnEvaluation[] = [];
  for (const run of runs) {
    const options: RunOptions = { numSteps: run.numSteps, encoding: args.encoding, seed: args.seed };
    let correct = 0;
    let agree = 0;
    let annEnergy = 0;
    let snnEnergy = 0;
    const presetTotals = ENERGY_PRESETS.map(() => ({ ann: 0, snn: 0 }));
    const operations = { acs: 0, macs: 0, dense: 0 };
    const events = new Map<string, { events: number; slots: number }>();
    for (let start = 0; start < order.length; ) {
      const { indices, batch, maxChunkPositions } = nextBatch(backend, model, options, ids, order, start, args.maxBatch ?? 64);
      const [raw] = (await backend.run(model, batch, [{ ...options, mode: run.mode, maxChunkPositions }])).raws;
      indices.forEach((index, b) => {
        const prediction = argmax(raw.scores.subarray(b * classes, (b + 1) * classes));
        if (prediction === prepared[index].label) correct++;
        if (run.mode === 'ann') {
          annPredictions[index] = prediction;
          return;
        }
        if (prediction === annPredictions[index]) agree++;
        const report = sampleEnergy(model.spec, raw, b, batch.lengths[b], options);
        annEnergy += report.annEnergyPicojoules;
        snnEnergy += report.snnEnergyPicojoules;
        ENERGY_PRESETS.forEach((preset, p) => {
          for (const row of report.layers) {
            const priced = layerEnergy(row, preset.settings);
            presetTotals[p].ann += priced.ann;
            presetTotals[p].snn += priced.snn;
          }
        });
        operations.acs += report.totals.snnAcs;
        operations.macs += report.totals.snnMacs;
        operations.dense += report.totals.annMacs + report.totals.annAcs;
        const add = (name: string, count: number, slots: number) => {
          const entry = events.get(name) ?? { events: 0, slots: 0 };
          entry.events += count;
          entry.slots += slots;
          events.set(name, entry);
        };
        if (report.input.firingRate !== null) add('input', report.input.events, batch.lengths[b] * model.spec.encoder.embeddingDim * run.numSteps);
        for (const layer of report.layers) if (layer.firingRate !== null) add(layer.name, layer.events, layer.neurons * run.numSteps);
      });
      start += indices.length;
    }
    const accuracy = correct / prepared.length;
    if (run.mode === 'ann') {
      args.log?.(`ANN twin: accuracy ${(100 * accuracy).toFixed(2)}%`);
      snn.push({ numSteps: 1, encoding: args.encoding, accuracy, agreementWithAnn: 1, energyPerSentence: { annMicrojoules: 0, snnMicrojoules: 0, ratio: 0 }, firingRates: {} });
      continue;
    }
    const firingRates = Object.fromEntries([...events].map(([name, e]) => [name, e.slots > 0 ? e.events / e.slots : 0]));
    const layerEvents = [...events].filter(([name]) => name !== 'input');
    const allSlots = layerEvents.reduce((sum, [, e]) => sum + e.slots, 0);
    const neurobench = {
      effectiveAcs: operations.acs / prepared.length,
      effectiveMacs: operations.macs / prepared.length,
      denseSynapticOperations: operations.dense / prepared.length,
      activationSparsity: allSlots > 0 ? 1 - layerEvents.reduce((sum, [, e]) => sum + e.events, 0) / allSlots : 1,
      layerActivationSparsity: Object.fromEntries(layerEvents.map(([name, e]) => [name, e.slots > 0 ? 1 - e.events / e.slots : 1])),
    };
    const result: SnnEvaluation = {
      numSteps: run.numSteps,
      encoding: args.encoding,
      accuracy,
      agreementWithAnn: agree / prepared.length,
      energyPerSentence: { annMicrojoules: annEnergy / prepared.length / 1e6, snnMicrojoules: snnEnergy / prepared.length / 1e6, ratio: snnEnergy / annEnergy },
      presets: Object.fromEntries(
        ENERGY_PRESETS.map((preset, p) => [preset.id, { annMicrojoules: presetTotals[p].ann / prepared.length / 1e6, snnMicrojoules: presetTotals[p].snn / prepared.length / 1e6, ratio: presetTotals[p].snn / presetTotals[p].ann }]),
      ),
      firingRates,
      neurobench,
    };
    snn.push(result);
    args.log?.(formatSnnLine(result));
  }
  const ann = snn.shift()!;
  return { dataset: args.dataset, split: args.split ?? 'test', testSize: prepared.length, seed: args.seed, backend: backend.detail, ann: { accuracy: ann.accuracy }, snn, footprint: modelFootprint(model) };
}

/** One line per T for the terminal. */
export function formatSnnLine(result: SnnEvaluation): string {
  const rates = Object.entries(result.firingRates).map(([name, rate]) => `${name} ${rate.toFixed(3)}`).join(', ');
  const e = result.energyPerSentence;
  const presets = result.presets ? ` [SNN/ANN: ${Object.entries(result.presets).map(([id, p]) => `${id} ${p.ratio.toFixed(3)}x`).join(', ')}]` : '';
  return `SNN T=${String(result.numSteps).padStart(3)}: accuracy ${(100 * result.accuracy).toFixed(2)}% (agrees with ANN ${(100 * result.agreementWithAnn).toFixed(1)}%), energy ${e.snnMicrojoules.toFixed(2)} uJ vs ANN ${e.annMicrojoules.toFixed(2)} uJ (${e.ratio.toFixed(3)}x)${presets}; firing rates: ${rates}`;
}
