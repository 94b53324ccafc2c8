/**
 * The accuracy–energy explorer's data: every shipped model × T × encoding from its card (test
 * accuracy, energy per sentence of the SNN and of its ANN twin under each energy preset), the ANN
 * twins as reference points, the Pareto front, and the paper's accuracy per dataset. Pure: the
 * points are computed from the cards into `models/explorer.json` (kept equal to the cards by a test,
 * `EXPLORER=write` rewrites it), which the page reads once instead of every model.json.
 */
import { presetEnergies, type PresetEnergy } from './card-metrics';

export type { PresetEnergy } from './card-metrics';

/** Lv et al.'s spiking TextCNN (T = 50), per dataset (DESIGN.md): the line each plot draws. */
export const PAPER_ACCURACY: Readonly<Record<string, number>> = {
  mr: 0.7545,
  sst2: 0.8091,
  sst5: 0.4163,
  subj: 0.906,
  chnsenticorp: 0.8502,
  waimai: 0.8666,
};


/** One run of a card: a model at a T with an encoding. */
export interface ExplorerPoint {
  model: string;
  name: string;
  dataset: string;
  numSteps: number;
  encoding: 'rate' | 'direct';
  accuracy: number;
  /** The ANN twin's accuracy, where the twin is a network to compare with (not a LITE-SNN's memoryless twin). */
  annAccuracy: number | null;
  /** An ANN baseline (an LSTM: no spiking layer), drawn as a reference, not an SNN. */
  ann: boolean;
  /** By preset id (`ENERGY_PRESETS`); float45 always, the others when the card has them. */
  energy: Record<string, PresetEnergy>;
}

/** The file the page reads. */
export interface ExplorerData {
  points: ExplorerPoint[];
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * The points of the cards of `models` (id, name, model.json `metrics`, and whether its ANN twin is a
 * network to compare with); runs without accuracy or energy are left out.
 */
export function explorerFromCards(models: readonly { id: string; name: string; metrics: unknown; twin: boolean }[]): ExplorerData {
  const points: ExplorerPoint[] = [];
  for (const { id, name, metrics, twin } of models) {
    const card = record(metrics);
    const dataset = typeof card?.dataset === 'string' ? card.dataset : null;
    if (!card || !dataset || card.split === 'dev') continue;
    const annAccuracy = twin ? finite(record(card.ann)?.accuracy) : null;
    for (const entry of Array.isArray(card.snn) ? card.snn : []) {
      const run = record(entry);
      const accuracy = finite(run?.accuracy);
      const numSteps = finite(run?.numSteps);
      const base = record(run?.energyPerSentence);
      const snn = finite(base?.snnMicrojoules);
      const ann = finite(base?.annMicrojoules);
      if (!run || accuracy === null || numSteps === null || snn === null || ann === null) continue;
      const energy: Record<string, PresetEnergy> = { float45: { snn, ann }, ...presetEnergies(run.presets) };
      const baseline = Object.keys(record(run.firingRates) ?? {}).length === 0;
      points.push({ model: id, name, dataset, numSteps, encoding: run.encoding === 'direct' ? 'direct' : 'rate', accuracy: baseline ? (finite(record(card.ann)?.accuracy) ?? accuracy) : accuracy, annAccuracy: baseline ? null : annAccuracy, ann: baseline, energy });
    }
  }
  points.sort((a, b) => (a.dataset < b.dataset ? -1 : a.dataset > b.dataset ? 1 : a.model < b.model ? -1 : a.model > b.model ? 1 : a.numSteps - b.numSteps));
  return { points };
}

/** The energy of a point under a preset (float45 where the card lacks that preset). */
export function pointEnergy(point: ExplorerPoint, preset: string): PresetEnergy & { preset: string } {
  const energy = point.energy[preset];
  return energy ? { ...energy, preset } : { ...point.energy.float45, preset: 'float45' };
}

/**
 * The points no other point beats: none of the rest is at least as accurate for at most the energy
 * and better in one of the two. Sorted by energy.
 */
export function paretoFront<P extends { energy: number; accuracy: number }>(points: readonly P[]): P[] {
  const sorted = [...points].sort((a, b) => a.energy - b.energy || b.accuracy - a.accuracy);
  const front: P[] = [];
  let best = -Infinity;
  for (const point of sorted) {
    if (point.accuracy > best) {
      front.push(point);
      best = point.accuracy;
    }
  }
  return front;
}
