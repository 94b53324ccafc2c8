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
 * default settings; the presets (`ENERGY_PRESETS`) add 8-bit integer arithmetic, memory traffic
 * (every value read or written, priced by the size of the layer's memory), and a neuromorphic chip's
 * published figures for the SNN (`ChipFigures`: per synaptic operation, neuron update and spike).
 */
import { NEURON_MODELS } from '../neurons/models';
import { networkGraph } from '../layers/graph';
import { positionsOf } from '../layers/shapes';
import type { EnergyContext, EnergyRow, EnergySource } from '../layers/types';
import type { EncodingKind, LayerSpec, NetworkSpec } from './spec';

export { convFanOut } from '../layers/conv';

/**
 * A neuromorphic chip's own figures for the SNN (each includes the chip's memory and control): a
 * synaptic operation (one event reaching one synapse), a neuron's update at one step, and a spike
 * sent. With them the SNN is priced as that chip would run it; the ANN keeps the other settings.
 */
export interface ChipFigures {
  synapticOpPicojoules: number;
  neuronUpdatePicojoules: number;
  spikePicojoules: number;
}

/** Energy per operation, in picojoules, and whether memory accesses are priced too: settings, not constants. */
export interface EnergySettings {
  eMacPicojoules: number;
  eAcPicojoules: number;
  /** Price every value read or written in memory as well (`memoryAccessPicojoules`), or only the arithmetic. */
  memory?: boolean;
  /** Price the SNN at a chip's figures (`ChipFigures`); its analog-input MACs stay with the ANN's prices (a host computes them). */
  chip?: ChipFigures;
}

/** A named set of energy settings with its source. */
export interface EnergyPreset {
  id: 'float45' | 'int45' | 'float45-memory' | 'loihi';
  label: string;
  settings: Readonly<EnergySettings>;
  /** Where the figures come from, shown beside them. */
  source: string;
  /** The figures are the chip maker's own (published by the vendor, not measured independently). */
  vendor?: boolean;
}

/**
 * The presets (architecture §4.1). Arithmetic at 45 nm from Horowitz (ISSCC 2014): 32-bit float
 * multiply 3.7 pJ and add 0.9 pJ; 8-bit integer multiply 0.2 pJ, 32-bit integer add 0.1 pJ. Memory
 * from the same source: an access to an SRAM of 8 KB, 32 KB or 1 MB costs about 10, 20 or 100 pJ.
 */
export const ENERGY_PRESETS: readonly EnergyPreset[] = [
  {
    id: 'float45',
    label: '45 nm, 32-bit float',
    settings: { eMacPicojoules: 4.6, eAcPicojoules: 0.9, memory: false },
    source: 'Horowitz, ISSCC 2014, 45 nm: a 32-bit float multiply 3.7 pJ + add 0.9 pJ = 4.6 pJ per MAC; 0.9 pJ per AC. Arithmetic only.',
  },
  {
    id: 'int45',
    label: '45 nm, 8-bit integer',
    settings: { eMacPicojoules: 0.3, eAcPicojoules: 0.1, memory: false },
    source: 'Horowitz, ISSCC 2014, 45 nm: an 8-bit multiply 0.2 pJ + a 32-bit add 0.1 pJ = 0.3 pJ per MAC; 0.1 pJ per AC (8-bit weights and activations, 32-bit sums). Arithmetic only.',
  },
  {
    id: 'float45-memory',
    label: '45 nm float + memory',
    settings: { eMacPicojoules: 4.6, eAcPicojoules: 0.9, memory: true },
    source:
      'The float arithmetic, plus every value read or written in on-chip SRAM, priced by the size of the layer’s memory (its weights and outputs): 10 pJ at 8 KB, 20 pJ at 32 KB, 100 pJ at 1 MB per access (Horowitz, ISSCC 2014), on a log scale between, as in the analytical model of Lemaire et al. (2022).',
  },
  {
    id: 'loihi',
    label: 'Loihi (vendor figures)',
    settings: { eMacPicojoules: 4.6, eAcPicojoules: 0.9, memory: true, chip: { synapticOpPicojoules: 23.6, neuronUpdatePicojoules: 52, spikePicojoules: 1.7 } },
    source:
      'Published by the vendor: Intel’s Loihi (14 nm), Davies et al., IEEE Micro 38(1), 2018, Table 2: 23.6 pJ per synaptic spike operation (its minimum), 52 pJ per active neuron update, 1.7 pJ per spike within a tile; hops between tiles are not counted, and every neuron is counted active at every step. These figures include the chip’s memory, so the ANN is priced as under “45 nm float + memory”. A layer fed analog values is computed by a host at the ANN’s prices.',
    vendor: true,
  },
];

/** 45 nm, 32-bit float, arithmetic only (Horowitz, ISSCC 2014): the field's convention. */
export const DEFAULT_ENERGY_SETTINGS: Readonly<EnergySettings> = ENERGY_PRESETS[0].settings;

/**
 * Energy of one memory access (pJ) to an SRAM of `bytes`: Horowitz's 10 pJ (8 KB), 20 pJ (32 KB)
 * and 100 pJ (1 MB), linear in log(size) between them, held at 10 pJ below 8 KB and 100 pJ above
 * 1 MB (a larger memory would be off-chip DRAM, far dearer: this is a lower bound there).
 */
export function memoryAccessPicojoules(bytes: number): number {
  const points: [number, number][] = [
    [8 * 1024, 10],
    [32 * 1024, 20],
    [1024 * 1024, 100],
  ];
  if (!(bytes > points[0][0])) return points[0][1];
  for (let i = 1; i < points.length; i++) {
    const [size, energy] = points[i];
    if (bytes <= size) {
      const [lowSize, lowEnergy] = points[i - 1];
      return lowEnergy + ((energy - lowEnergy) * Math.log(bytes / lowSize)) / Math.log(size / lowSize);
    }
  }
  return points[points.length - 1][1];
}

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

/**
 * Memory traffic of one layer (architecture §4.7): values read or written, and the bytes of the
 * layer's memory (its weights and its outputs or neuron states, float32) that price each access.
 */
export interface LayerMemory {
  annAccesses: number;
  snnAccesses: number;
  bytes: number;
}

/** Operation counts and energy of one layer. */
export interface LayerEnergy extends EnergyRow {
  name: string;
  kind: LayerSpec['kind'];
  /** The SNN's synaptic accumulates (`snnAcs` without the neurons' own charge, compare and reset). */
  synapticAcs: number;
  /** The SNN's multiply-accumulates of analog input (`snnMacs` without a leaky charge). */
  synapticMacs: number;
  memory: LayerMemory;
  annEnergyPicojoules: number;
  snnEnergyPicojoules: number;
}

/**
 * A layer's energy under `settings`: its operations, and its memory accesses when the settings
 * price them. With a chip's figures the SNN is its synaptic operations, neuron updates and spikes at
 * those figures, plus its analog-input MACs at the ANN's prices (each reading a weight and an input).
 */
export function layerEnergy(
  row: Pick<LayerEnergy, 'annMacs' | 'annAcs' | 'snnMacs' | 'snnAcs' | 'synapticAcs' | 'synapticMacs' | 'neuronUpdates' | 'events' | 'memory'>,
  settings: EnergySettings,
): { ann: number; snn: number } {
  const access = settings.memory ? memoryAccessPicojoules(row.memory.bytes) : 0;
  const ann = row.annMacs * settings.eMacPicojoules + row.annAcs * settings.eAcPicojoules + row.memory.annAccesses * access;
  const chip = settings.chip;
  if (chip) {
    return {
      ann,
      snn: row.synapticAcs * chip.synapticOpPicojoules + row.neuronUpdates * chip.neuronUpdatePicojoules + row.events * chip.spikePicojoules + row.synapticMacs * (settings.eMacPicojoules + 2 * access),
    };
  }
  return { ann, snn: row.snnMacs * settings.eMacPicojoules + row.snnAcs * settings.eAcPicojoules + row.memory.snnAccesses * access };
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

const weightCounts = new WeakMap<NetworkSpec, number[]>();

/** Weights of each layer (for the size of its memory), counted once per network: every sample needs them. */
function layerWeights(spec: NetworkSpec, graph: ReturnType<typeof networkGraph>): number[] {
  let counts = weightCounts.get(spec);
  if (!counts) {
    counts = graph.nodes.map((node) =>
      node.module.tensors(node.spec, node.inputs.map((source) => (source < 0 ? graph.input : graph.nodes[source].shape))).reduce((total, tensor) => total + tensor.shape.reduce((a, b) => a * b, 1), 0),
    );
    weightCounts.set(spec, counts);
  }
  return counts;
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
    // What the memory account needs besides the row: the ANN's adds that read a weight (binary
    // input), the neurons' own operations, and whether a layer computes its outputs from analog input.
    let annWeightedAcs = 0;
    let neuronMacs = 0;
    let neuronAcs = 0;
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
        if (binaryInput && node.inputs[0] === -1) {
          row.annAcs += annMacs;
          annWeightedAcs += annMacs;
        } else row.annMacs += annMacs;
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
        if (model && NEURON_MODELS[model].chargeKind === 'leaky') {
          row.snnMacs += updates;
          neuronMacs += updates;
        } else {
          row.snnAcs += updates;
          neuronAcs += updates;
        }
        row.snnAcs += updates + total;
        neuronAcs += updates + total;
        return { kind: 'spikes', perPosition: typeof measured === 'number' ? null : measured, total };
      },
    };
    sources.set(index, node.module.energy(node.spec, ctx));
    const outputs = positions * node.shape.channels;
    const weights = layerWeights(spec, graph)[index];
    const synapticAcs = row.snnAcs - neuronAcs;
    const synapticMacs = row.snnMacs - neuronMacs;
    const memory: LayerMemory = {
      // ANN: a MAC reads its weight and its input, an add its addend (a binary input's add also its
      // weight); partial sums stay in registers; each output is written once.
      annAccesses: 2 * row.annMacs + row.annAcs + annWeightedAcs + (row.annMacs + row.annAcs > 0 ? outputs : 0),
      // SNN: an event's accumulate reads the weight and reads and writes its target's potential
      // (events come in any order); an analog MAC reads weight and input, its outputs written once;
      // each neuron update reads and writes its potential, each spike is written once.
      snnAccesses: 3 * synapticAcs + 2 * synapticMacs + (synapticMacs > 0 ? outputs : 0) + 2 * row.neuronUpdates + row.events,
      bytes: 4 * (weights + outputs),
    };
    const priced = layerEnergy({ ...row, synapticAcs, synapticMacs, memory }, settings);
    return { name: layer.name, kind: layer.kind, ...row, synapticAcs, synapticMacs, memory, annEnergyPicojoules: priced.ann, snnEnergyPicojoules: priced.snn };
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
