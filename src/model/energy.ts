/**
 * Energy accounting (DESIGN §3): what one sample costs as an SNN, from the spikes the engine
 * actually measured, against what its ANN twin costs, layer by layer, the first layer included.
 *
 * ANN: multiply-accumulates (MACs) of every synaptic layer; pooling and bias adds as accumulates
 * (ACs). SNN: each spike costs its fan-out in ACs in the layer it feeds:
 *  - conv: an event at input position j drives `filters` × (output positions of branch k whose
 *    window covers j), summed over branches (`convFanOut`);
 *  - linear: `outFeatures` per event; pool: 1 per event;
 *  - recurrent: `hidden` per input event plus `hidden` per own event (through U);
 *  - token-recurrent: `hidden` per own event at every position but a sample's last (through U,
 *    into the next position's window; a total without positions is charged in full), against the
 *    twin's `hidden²` MACs per position after the first;
 *  - biases: one AC per output per step.
 * Analog input is not spikes. With direct encoding the encoder's output is a constant current, so
 * the first synaptic layer does its ANN MACs once and holds the result for all steps (bias folded
 * in); layers after it see spikes again once a neuron layer has fired. An analog input that
 * changes every step (a synaptic layer fed by another without neurons in between) costs its ANN
 * MACs at every step. The division of average pooling is not counted, in either network.
 * Energy: E = MACs · eMac + ACs · eAc, with the 45 nm figures of Horowitz (4.6 pJ, 0.9 pJ) as
 * default settings.
 */
import { layerShapes } from './spec';
import type { ConvLayerSpec, EncodingKind, LayerSpec, NetworkSpec } from './spec';

/** Energy per operation, in picojoules: settings, not constants. */
export interface EnergySettings {
  eMacPicojoules: number;
  eAcPicojoules: number;
}

/** 45 nm, 32-bit float (Horowitz, ISSCC 2014), the field's convention. */
export const DEFAULT_ENERGY_SETTINGS: Readonly<EnergySettings> = { eMacPicojoules: 4.6, eAcPicojoules: 0.9 };

/** Spike events of one sample, summed over the T steps. */
export interface SpikeEvents {
  /** `[tokens]` events of the encoder's output per position (summed over steps and embedding dims). */
  input: Float32Array;
  /**
   * Per spec layer index: the events of neuron and recurrent layers, `[positions]` per position for
   * positional layers (a total is accepted where no convolution follows) and a number for flat
   * ones; undefined (or 0) for layers that do not spike.
   */
  layers: (Float32Array | number | undefined)[];
}

/** One sample as the engine ran it. */
export interface EnergySample {
  /** Padded token length. */
  tokens: number;
  numSteps: number;
  encoding: EncodingKind;
  events: SpikeEvents;
}

/** Operation counts and energy of one layer. */
export interface LayerEnergy {
  name: string;
  kind: LayerSpec['kind'];
  annMacs: number;
  /** Pooling and bias adds of the ANN. */
  annAcs: number;
  snnAcs: number;
  /** Analog inputs (direct encoding) are multiplied, not accumulated. */
  snnMacs: number;
  /** Spiking neurons of the layer (0 for layers that do not spike). */
  neurons: number;
  /** Events the layer emitted (0 for layers that do not spike). */
  events: number;
  /** events / (neurons · numSteps); null for layers that do not spike. */
  firingRate: number | null;
  annEnergyPicojoules: number;
  snnEnergyPicojoules: number;
}

/** The whole account of one sample. */
export interface EnergyReport {
  /** The encoder's spikes (rate encoding); firing rate null for direct encoding. */
  input: { events: number; firingRate: number | null };
  layers: LayerEnergy[];
  totals: { annMacs: number; annAcs: number; snnAcs: number; snnMacs: number; annEnergyPicojoules: number; snnEnergyPicojoules: number };
  /** `totals.annEnergyPicojoules`, at the top for display. */
  annEnergyPicojoules: number;
  /** `totals.snnEnergyPicojoules`, at the top for display. */
  snnEnergyPicojoules: number;
  /** SNN energy / ANN energy. */
  ratio: number;
  /** One line: "SNN costs 4.3× the ANN" or "SNN saves 80 %". */
  verdict: string;
}

/** The engine's measurements do not fit the network (lengths, missing events). */
export class EnergyInputError extends Error {
  override name = 'EnergyInputError';
}

/** Output positions of one branch of width `width` over `inputPositions` positions. */
function validPositions(inputPositions: number, width: number): number {
  return Math.max(0, inputPositions - width + 1);
}

/** ACs driven by one input event at `position` of a convolution over `inputPositions` positions. */
export function convFanOut(layer: ConvLayerSpec, inputPositions: number, position: number): number {
  let synapses = 0;
  for (const width of layer.widths) {
    const valid = validPositions(inputPositions, width);
    const covering = Math.min(position, valid - 1) - Math.max(0, position - width + 1) + 1;
    synapses += layer.filters * Math.max(0, covering);
  }
  return synapses;
}

/** What reaches a layer: spike events (per position where known), or an analog current. */
type Source = { kind: 'spikes'; perPosition: Float32Array | null; total: number } | { kind: 'analog'; constant: boolean };

function sum(values: Float32Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Counts the operations and energy of one sample (see the module comment for the rules). */
export function energyReport(spec: NetworkSpec, sample: EnergySample, settings: EnergySettings = DEFAULT_ENERGY_SETTINGS): EnergyReport {
  const { tokens, numSteps, encoding, events } = sample;
  if (!Number.isInteger(tokens) || tokens < 0) throw new EnergyInputError(`tokens must be a non-negative integer (the padded length), got ${tokens}`);
  if (!Number.isInteger(numSteps) || numSteps < 1) throw new EnergyInputError(`numSteps must be a positive integer, got ${numSteps}`);
  const dim = spec.encoder.embeddingDim;
  let source: Source;
  let input: EnergyReport['input'];
  if (encoding === 'rate') {
    if (events.input.length !== tokens) throw new EnergyInputError(`events.input has ${events.input.length} positions but the sample has ${tokens} tokens; pass one count per padded position`);
    const total = sum(events.input);
    source = { kind: 'spikes', perPosition: events.input, total };
    input = { events: total, firingRate: tokens > 0 ? total / (tokens * dim * numSteps) : 0 };
  } else {
    source = { kind: 'analog', constant: true };
    input = { events: 0, firingRate: null };
  }
  const shapes = layerShapes(spec, tokens);
  const layers = spec.layers.map((layer, index): LayerEnergy => {
    const inPositions = index === 0 ? tokens : shapes[index - 1].positions;
    const inChannels = index === 0 ? dim : shapes[index - 1].channels;
    const { positions, channels } = shapes[index];
    const row: LayerEnergy = { name: layer.name, kind: layer.kind, annMacs: 0, annAcs: 0, snnAcs: 0, snnMacs: 0, neurons: 0, events: 0, firingRate: null, annEnergyPicojoules: 0, snnEnergyPicojoules: 0 };
    // Synaptic cost of the input `source` for a layer of `annMacs` MACs and `fanOut` synapses per event.
    const synapses = (annMacs: number, fanOut: (position: number) => number, perEvent: number | null, biasOutputs: number): void => {
      row.annMacs += annMacs;
      row.annAcs += biasOutputs;
      if (source.kind === 'analog') {
        row.snnMacs += source.constant ? annMacs : annMacs * numSteps;
        row.snnAcs += source.constant ? 0 : biasOutputs * numSteps;
        return;
      }
      row.snnAcs += biasOutputs * numSteps;
      if (perEvent !== null) row.snnAcs += source.total * perEvent;
      else if (source.perPosition === null) throw new EnergyInputError(`layer ${index} ("${layer.name}") is a convolution: the layer before must report events per position, not a total`);
      else source.perPosition.forEach((count, position) => (row.snnAcs += count * fanOut(position)));
    };
    const spiking = (neurons: number): void => {
      const measured = events.layers[index];
      if (measured === undefined) throw new EnergyInputError(`events.layers[${index}] is missing: layer "${layer.name}" spikes, so the engine must report its events`);
      if (typeof measured !== 'number' && measured.length !== positions) {
        throw new EnergyInputError(`events.layers[${index}] has ${measured.length} positions but layer "${layer.name}" has ${positions}`);
      }
      const total = typeof measured === 'number' ? measured : sum(measured);
      row.neurons = neurons;
      row.events = total;
      row.firingRate = neurons > 0 ? total / (neurons * numSteps) : 0;
      source = { kind: 'spikes', perPosition: typeof measured === 'number' ? null : measured, total };
    };
    switch (layer.kind) {
      case 'conv': {
        const outputs = layer.widths.reduce((count, width) => count + validPositions(inPositions, width) * layer.filters, 0);
        const macs = layer.widths.reduce((count, width) => count + validPositions(inPositions, width) * width * layer.inChannels * layer.filters, 0);
        synapses(macs, (position) => convFanOut(layer, inPositions, position), null, layer.bias ? outputs : 0);
        source = { kind: 'analog', constant: source.kind === 'analog' && source.constant };
        break;
      }
      case 'linear':
        synapses(inPositions * layer.inFeatures * layer.outFeatures, () => 0, layer.outFeatures, layer.bias ? inPositions * layer.outFeatures : 0);
        source = { kind: 'analog', constant: source.kind === 'analog' && source.constant };
        break;
      case 'pool': {
        const adds = inPositions * inChannels;
        row.annAcs = adds;
        if (source.kind === 'spikes') row.snnAcs = source.total;
        else row.snnAcs = source.constant ? adds : adds * numSteps;
        source = { kind: 'analog', constant: source.kind === 'analog' && source.constant };
        break;
      }
      case 'neuron':
        spiking(positions * channels);
        break;
      case 'token-recurrent': {
        // The input current is the layer before's; U carries each position's counts to the next.
        const hidden = layer.hidden;
        row.annMacs += Math.max(0, positions - 1) * hidden * hidden;
        spiking(positions * hidden);
        const measured = events.layers[index];
        const lastEvents = typeof measured === 'number' || measured === undefined || positions === 0 ? 0 : measured[positions - 1];
        row.snnAcs += (row.events - lastEvents) * hidden;
        break;
      }
      case 'recurrent': {
        synapses(inPositions * layer.inFeatures * layer.hidden, () => 0, layer.hidden, layer.bias ? inPositions * layer.hidden : 0);
        row.annMacs += inPositions * layer.hidden * layer.hidden;
        spiking(positions * layer.hidden);
        row.snnAcs += row.events * layer.hidden;
        break;
      }
    }
    row.annEnergyPicojoules = row.annMacs * settings.eMacPicojoules + row.annAcs * settings.eAcPicojoules;
    row.snnEnergyPicojoules = row.snnMacs * settings.eMacPicojoules + row.snnAcs * settings.eAcPicojoules;
    return row;
  });
  const totals = { annMacs: 0, annAcs: 0, snnAcs: 0, snnMacs: 0, annEnergyPicojoules: 0, snnEnergyPicojoules: 0 };
  for (const row of layers) for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += row[key];
  const ratio = totals.snnEnergyPicojoules / totals.annEnergyPicojoules;
  return {
    input,
    layers,
    totals,
    annEnergyPicojoules: totals.annEnergyPicojoules,
    snnEnergyPicojoules: totals.snnEnergyPicojoules,
    ratio,
    verdict: energyVerdict(ratio),
  };
}

/** "SNN costs 4.3× the ANN", "SNN saves 80 %", or why there is nothing to compare. */
export function energyVerdict(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'no ANN operations to compare with';
  if (ratio >= 1) return `SNN costs ${ratio < 10 ? ratio.toFixed(1) : ratio.toFixed(0)}× the ANN`;
  const saved = Math.round((1 - ratio) * 100);
  return saved === 0 ? `SNN costs ${ratio.toFixed(2)}× the ANN` : `SNN saves ${saved} %`;
}
