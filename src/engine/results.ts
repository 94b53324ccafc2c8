import type { LoadedModel } from '../model/format';
import type { PreparedBatch } from './batch';
import { networkGraph } from '../layers/graph';
import { positionsOf, validPositionsOf } from '../layers/shapes';
import { sampleEnergy } from './energy-input';
import { ModelOutputError } from './errors';
import type { RawOutput } from './executor';
import type { LayerActivity, LayerSpikes, MembraneTrace, RunOptions, SampleResult } from './types';

/** Index of the largest score; ties go to the lowest class index. */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/** Assembles the result of sample `b` of a batch from the raw outputs of the SNN and its ANN twin. */
export function buildSampleResult(args: {
  model: LoadedModel;
  options: RunOptions;
  snn: RawOutput;
  ann?: RawOutput;
  batch: PreparedBatch;
  b: number;
  tokens: string[];
  ids: Int32Array;
  unknown: string[];
  /** Index of the text among the request's texts (for messages). */
  index?: number;
}): SampleResult {
  const { model, options, snn, ann, batch, b } = args;
  const classes = model.spec.readout.classes;
  const scores = Array.from(snn.scores.subarray(b * classes.length, (b + 1) * classes.length));
  checkFinite(scores, classes, 'SNN', args.index);
  const labelIndex = argmax(scores);
  const annScores = ann ? Array.from(ann.scores.subarray(b * classes.length, (b + 1) * classes.length)) : undefined;
  if (annScores) checkFinite(annScores, classes, 'ANN twin', args.index);
  const annIndex = annScores ? argmax(annScores) : -1;
  const activity = sampleActivity(model, snn, batch, b);
  const length = batch.lengths[b];
  return {
    label: classes[labelIndex],
    labelIndex,
    scores,
    ann: annScores ? { label: classes[annIndex], labelIndex: annIndex, scores: annScores } : undefined,
    tokens: args.tokens,
    tokenIds: Array.from(batch.tokenIds.subarray(b * batch.tokens, b * batch.tokens + length)),
    unknownTokens: args.unknown,
    activity,
    energy: sampleEnergy(model.spec, snn, b, length, options),
    spikeTrains: spikeTrainsOf(snn, b, length, model),
    membrane: membraneOf(snn, b),
    cumulativeScores: cumulativeScores(snn, batch.batch, b, classes.length, model.spec.readout.population),
  };
}

/** Throws `ModelOutputError` when a score is NaN or infinite: a label from such scores would be arbitrary. */
function checkFinite(scores: readonly number[], classes: readonly string[], network: string, index: number | undefined): void {
  const bad = scores.findIndex((score) => !Number.isFinite(score));
  if (bad < 0) return;
  const text = index === undefined ? 'a text' : `text ${index + 1}`;
  throw new ModelOutputError(
    `The model's ${network} score for class "${classes[bad]}" on ${text} is ${scores[bad]}, not a finite number: its weights or thresholds overflow float32, so no label is given. Check or re-export the model.`,
  );
}

/** Spike events, neurons and firing rate of the input and every spiking layer of sample `b`. */
function sampleActivity(model: LoadedModel, raw: RawOutput, batch: PreparedBatch, b: number): LayerActivity[] {
  const spec = model.spec;
  const graph = networkGraph(spec);
  const length = batch.lengths[b];
  const T = raw.numSteps;
  const inputEvents = raw.inputEvents.slice(b * batch.tokens, b * batch.tokens + length);
  const activity: LayerActivity[] = [];
  const push = (layer: string, kind: LayerActivity['kind'], spikeCount: number, neurons: number, perPosition?: Float32Array) =>
    activity.push({ layer, kind, spikeCount, neurons, firingRate: neurons > 0 ? spikeCount / (neurons * T) : 0, perPosition });
  push('input', 'input', sum(inputEvents), length * spec.encoder.embeddingDim, inputEvents);
  for (const node of graph.nodes) {
    const events = raw.layerEvents.get(node.index);
    if (!events) continue;
    const kind = node.spec.kind === 'recurrent' ? 'recurrent' : 'neuron';
    if (node.shape.positional) {
      const positions = positionsOf(node.shape, raw.tokens);
      // Neurons that can fire: the valid positions of each channel (masked ones excluded).
      let neurons = 0;
      for (let c = 0; c < node.shape.channels; c++) neurons += validPositionsOf(node.shape, c, length);
      const perPosition = events.slice(b * positions, b * positions + positionsOf(node.shape, length));
      push(node.spec.name, kind, sum(perPosition), neurons, perPosition);
    } else {
      push(node.spec.name, kind, events[b], node.shape.channels);
    }
  }
  return activity;
}

function spikeTrainsOf(raw: RawOutput, b: number, length: number, model: LoadedModel): LayerSpikes[] | undefined {
  if (raw.spikeTrains.size === 0 && !raw.inputTrain) return undefined;
  const trains: LayerSpikes[] = [];
  const graph = networkGraph(model.spec);
  const dim = model.spec.encoder.embeddingDim;
  if (raw.inputTrain) trains.push(trimPositions('input', raw.inputTrain[b], raw.numSteps, raw.inputTrain[b].length / raw.numSteps / dim, length, dim));
  for (const [layer, train] of raw.spikeTrains) {
    const node = graph.nodes.find((n) => n.spec.name === layer)!;
    trains.push(trimPositions(layer, train.samples[b], raw.numSteps, train.positions, positionsOf(node.shape, length), train.channels));
  }
  return trains;
}

/** Keeps the first `keep` of `positions` positions of a `[T][positions][channels]` train. */
function trimPositions(layer: string, spikes: Float32Array, numSteps: number, positions: number, keep: number, channels: number): LayerSpikes {
  if (keep === positions) return { layer, numSteps, positions, channels, spikes };
  const out = new Float32Array(numSteps * keep * channels);
  for (let t = 0; t < numSteps; t++) out.set(spikes.subarray(t * positions * channels, (t * positions + keep) * channels), t * keep * channels);
  return { layer, numSteps, positions: keep, channels, spikes: out };
}

function membraneOf(raw: RawOutput, b: number): MembraneTrace[] | undefined {
  if (raw.membrane.length === 0) return undefined;
  return raw.membrane.map((trace) => ({ layer: trace.layer, neuron: trace.neuron, vThreshold: trace.vThreshold, potential: trace.samples[b] }));
}

/** Output spikes per class accumulated step by step: how the decision forms. */
function cumulativeScores(raw: RawOutput, batch: number, b: number, classes: number, population: number): number[][] {
  const outputs = classes * population;
  const running = new Array<number>(classes).fill(0);
  const out: number[][] = [];
  for (let t = 0; t < raw.numSteps; t++) {
    const base = (t * batch + b) * outputs;
    for (let c = 0; c < classes; c++) {
      for (let p = 0; p < population; p++) running[c] += raw.outputTrain[base + c * population + p];
    }
    out.push([...running]);
  }
  return out;
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
