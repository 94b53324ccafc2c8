/**
 * Energy accounting (architecture §4): what one sample costs as an SNN, from the spikes the engine
 * actually measured, against what its ANN twin costs, layer by layer, the first layer included.
 *
 * ANN: multiply-accumulates (MACs) of every synaptic layer; pooling and bias adds as accumulates
 * (ACs). A fair ANN is priced for the input it gets: a layer reading binary input (0/1, the
 * encoder's binary mode) only adds, so its operations count as ACs. SNN: each spike costs its fan-out in ACs in the layer it feeds:
 *  - conv: an event at input position j drives `filters` × (output positions of branch k whose
 *    window covers j), summed over branches (`convFanOut`);
 *  - linear: `outFeatures` per event; pool: 1 per event;
 *  - recurrent: `hidden` per input event plus `hidden` per own event (through U);
 *  - token-recurrent: `hidden` per own event at every position but a sample's last (through U,
 *    into the next position's window; a total without positions is charged in full), against the
 *    twin's `hidden²` MACs per position after the first;
 *  - biases: one AC per output per step;
 *  - neurons: every spiking neuron's state update at every step, the charge (one MAC, β·v + x, for
 *    a leaky model; one AC, v + x, otherwise) and the comparison with θ (one AC), and one AC per
 *    spike for its reset. The ANN twin's activations are not counted.
 * Analog input is not spikes. With direct encoding the encoder's output is a constant current, so
 * the first synaptic layer does its ANN MACs once and holds the result for all steps (bias folded
 * in); layers after it see spikes again once a neuron layer has fired. An analog input that
 * changes every step (a synaptic layer fed by another without neurons in between) costs its ANN
 * MACs at every step. The division of average pooling is not counted, in either network.
 * Energy: E = MACs · eMac + ACs · eAc, with the 45 nm figures of Horowitz (4.6 pJ, 0.9 pJ) as
 * default settings.
 */
import { NEURON_MODELS } from '../neurons/models';
import { networkGraph } from '../layers/graph';
import { positionsOf } from '../layers/shapes';
import type { EnergyContext, EnergyRow, EnergySource } from '../layers/types';
import type { EncodingKind, LayerSpec, NetworkSpec } from './spec';

export { convFanOut } from '../layers/conv';

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
export interface LayerEnergy extends EnergyRow {
  name: string;
  kind: LayerSpec['kind'];
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

function sum(values: Float32Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Counts the operations and energy of one sample (see the module comment; each layer's module applies its rules). */
export function energyReport(spec: NetworkSpec, sample: EnergySample, settings: EnergySettings = DEFAULT_ENERGY_SETTINGS): EnergyReport {
  const { tokens, numSteps, encoding, events } = sample;
  if (!Number.isInteger(tokens) || tokens < 0) throw new EnergyInputError(`tokens must be a non-negative integer (the padded length), got ${tokens}`);
  if (!Number.isInteger(numSteps) || numSteps < 1) throw new EnergyInputError(`numSteps must be a positive integer, got ${numSteps}`);
  const graph = networkGraph(spec);
  const dim = spec.encoder.embeddingDim;
  let inputSource: EnergySource;
  let input: EnergyReport['input'];
  if (encoding === 'rate') {
    if (events.input.length !== tokens) throw new EnergyInputError(`events.input has ${events.input.length} positions but the sample has ${tokens} tokens; pass one count per padded position`);
    const total = sum(events.input);
    inputSource = { kind: 'spikes', perPosition: events.input, total };
    input = { events: total, firingRate: tokens > 0 ? total / (tokens * dim * numSteps) : 0 };
  } else {
    inputSource = { kind: 'analog', constant: true };
    input = { events: 0, firingRate: null };
  }
  const sources = new Map<number, EnergySource>([[-1, inputSource]]);
  // The encoder's binary mode gives 0/1 input: the ANN layers reading it add instead of multiplying.
  const binaryInput = spec.encoder.binarySigmas !== undefined;
  const layers = graph.nodes.map((node): LayerEnergy => {
    const { index, spec: layer } = node;
    const inputs = node.inputs.map((source) => {
      const shape = source < 0 ? graph.input : graph.nodes[source].shape;
      return { source: sources.get(source)!, shape, positions: positionsOf(shape, tokens) };
    });
    const positions = positionsOf(node.shape, tokens);
    const row: EnergyRow = { annMacs: 0, annAcs: 0, snnAcs: 0, snnMacs: 0, neurons: 0, events: 0, firingRate: null, neuronUpdates: 0 };
    const ctx: EnergyContext = {
      index,
      name: layer.name,
      numSteps,
      inputs,
      shape: node.shape,
      positions,
      row,
      measured: () => events.layers[index],
      synapses(annMacs, fanOut, perEvent, biasOutputs) {
        const source = inputs[0].source;
        if (binaryInput && node.inputs[0] === -1) row.annAcs += annMacs;
        else row.annMacs += annMacs;
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
      },
      spiking(neurons) {
        const measured = events.layers[index];
        if (measured === undefined) throw new EnergyInputError(`events.layers[${index}] is missing: layer "${layer.name}" spikes, so the engine must report its events`);
        if (typeof measured !== 'number' && measured.length !== positions) {
          throw new EnergyInputError(`events.layers[${index}] has ${measured.length} positions but layer "${layer.name}" has ${positions}`);
        }
        const total = typeof measured === 'number' ? measured : sum(measured);
        row.neurons = neurons;
        row.events = total;
        row.firingRate = neurons > 0 ? total / (neurons * numSteps) : 0;
        // Every neuron's state update at every step: the charge (a multiply-accumulate β·v + x for a
        // leaky model, an accumulate v + x otherwise) and the comparison with θ; and each spike's reset.
        const model = node.module.neuron?.(node.spec).model;
        const updates = neurons * numSteps;
        row.neuronUpdates = updates;
        if (model && NEURON_MODELS[model].chargeKind === 'leaky') row.snnMacs += updates;
        else row.snnAcs += updates;
        row.snnAcs += updates + total;
        return { kind: 'spikes', perPosition: typeof measured === 'number' ? null : measured, total };
      },
    };
    sources.set(index, node.module.energy(node.spec, ctx));
    return {
      name: layer.name,
      kind: layer.kind,
      ...row,
      annEnergyPicojoules: row.annMacs * settings.eMacPicojoules + row.annAcs * settings.eAcPicojoules,
      snnEnergyPicojoules: row.snnMacs * settings.eMacPicojoules + row.snnAcs * settings.eAcPicojoules,
    };
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
