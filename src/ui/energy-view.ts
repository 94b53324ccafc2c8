/**
 * The energy panel's arithmetic: re-pricing an engine `EnergyReport` when a person edits E_MAC or
 * E_AC (the operation counts do not change, only their price), number formatting, and the plain
 * sentence that says why the SNN costs more when it does. Pure.
 */
import { energyVerdict, layerEnergy, type EnergyReport, type EnergySettings } from '../model/energy';

/** E = MACs · E_MAC + ACs · E_AC (+ memory accesses, when the settings price them), for every layer and the totals; counts are kept as measured. */
export function repriceEnergy(report: EnergyReport, settings: EnergySettings): EnergyReport {
  const layers = report.layers.map((row) => {
    const priced = layerEnergy(row, settings);
    return { ...row, annEnergyPicojoules: priced.ann, snnEnergyPicojoules: priced.snn };
  });
  const annEnergyPicojoules = layers.reduce((total, row) => total + row.annEnergyPicojoules, 0);
  const snnEnergyPicojoules = layers.reduce((total, row) => total + row.snnEnergyPicojoules, 0);
  const ratio = snnEnergyPicojoules / annEnergyPicojoules;
  return {
    ...report,
    layers,
    totals: { ...report.totals, annEnergyPicojoules, snnEnergyPicojoules },
    annEnergyPicojoules,
    snnEnergyPicojoules,
    ratio,
    verdict: energyVerdict(ratio),
  };
}

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An operation count, exact, with thousands separators: `171,360,000`. */
export function formatCount(value: number): string {
  return Number.isInteger(value) ? integerFormat.format(value) : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** Energy in picojoules shown in the unit that reads best: `36.2 µJ`, `512 nJ`, `3.10 pJ`. */
export function formatEnergy(picojoules: number): string {
  const units: [number, string][] = [
    [1e12, 'J'],
    [1e9, 'mJ'],
    [1e6, 'µJ'],
    [1e3, 'nJ'],
  ];
  for (const [scale, unit] of units) {
    if (Math.abs(picojoules) >= scale) return `${significant(picojoules / scale)} ${unit}`;
  }
  return `${significant(picojoules)} pJ`;
}

/** Three significant digits, without an exponent. */
function significant(value: number): string {
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  return value.toFixed(digits);
}

/** A share as a percentage: `48.3 %`; `—` for null. */
export function formatPercent(share: number | null, digits = 1): string {
  return share === null || !Number.isFinite(share) ? '—' : `${(share * 100).toFixed(digits)} %`;
}

/** A ratio as `4.3×` (or `0.21×`). */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  return `${ratio >= 10 ? ratio.toFixed(0) : ratio >= 1 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/**
 * Why the SNN costs what it costs, in one or two sentences, naming the layer that spends most and
 * the levers (steps, encoding). Says so plainly when the SNN costs more than the ANN.
 */
export function explainEnergy(report: EnergyReport, numSteps: number, encoding: 'rate' | 'direct'): string {
  const total = report.snnEnergyPicojoules;
  const costliest = report.layers.reduce((best, row) => (row.snnEnergyPicojoules > best.snnEnergyPicojoules ? row : best), report.layers[0]);
  const share = total > 0 && costliest ? costliest.snnEnergyPicojoules / total : 0;
  const where = costliest ? `layer “${costliest.name}” spends ${formatPercent(share, 0)} of it` : '';
  // A layer fed analog values multiplies in the SNN as in the ANN: spikes cannot make it cheaper.
  const analog = costliest !== undefined && costliest.snnMacs > 0 && costliest.snnMacs >= costliest.annMacs;
  if (report.ratio >= 1) {
    const input =
      encoding === 'rate' && report.input.firingRate !== null
        ? `Rate coding makes the input fire at ${formatPercent(report.input.firingRate, 0)} of embedding components at each of T = ${numSteps} steps, and every input spike drives many synapses. `
        : `Over T = ${numSteps} steps the spikes add up. `;
    const advice = analog
      ? `That layer reads analog values, so it multiplies as the ANN does and costs at least as much: the SNN can save only in the layers after it, and only a spiking input (rate or binary) would make it cheaper.`
      : encoding === 'rate'
        ? 'Fewer steps or a sparser input (binary input fires once per strong component) lower the cost.'
        : 'Fewer steps or sparser spikes lower the cost.';
    return `Here the SNN costs more than the ANN (${formatRatio(report.ratio)}). ${input}${where ? `${capitalize(where)}. ` : ''}${advice}`;
  }
  return `The SNN spends ${formatRatio(report.ratio)} of the ANN's energy at T = ${numSteps} with ${encoding} encoding${where ? `; ${where}` : ''}.`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * NeuroBench's system metrics of one inference (architecture §4.6): the synaptic operations the SNN
 * performs from its spikes (effective ACs and MACs) against the dense network's, and the share of
 * silent neuron-steps over every spiking layer (activation sparsity).
 */
export function neurobenchMetrics(
  report: EnergyReport,
  numSteps: number,
): { effectiveAcs: number; effectiveMacs: number; dense: number; activationSparsity: number | null; layerSparsity: { name: string; sparsity: number; events: number; slots: number }[] } {
  const t = report.totals;
  let events = 0;
  let slots = 0;
  const layerSparsity: { name: string; sparsity: number; events: number; slots: number }[] = [];
  for (const row of report.layers) {
    if (row.firingRate === null) continue;
    const layerSlots = row.neurons * numSteps;
    events += row.events;
    slots += layerSlots;
    if (layerSlots > 0) layerSparsity.push({ name: row.name, sparsity: 1 - row.events / layerSlots, events: row.events, slots: layerSlots });
  }
  return { effectiveAcs: t.snnAcs, effectiveMacs: t.snnMacs, dense: t.annMacs + t.annAcs, activationSparsity: slots > 0 ? 1 - events / slots : null, layerSparsity };
}
