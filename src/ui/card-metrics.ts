/**
 * The model card's evaluation (`metrics` in model.json), in the schema the training CLI writes:
 * `{ dataset, split, testSize, ann: { accuracy }, snn: [{ numSteps, encoding, accuracy,
 * energyPerSentence: { annMicrojoules, snnMicrojoules }, firingRates: { [layer]: rate } }] }`.
 * Read leniently: a field that is missing or malformed becomes null, and a card without any
 * usable result is "no card metrics" (null). Pure.
 */

/** Energy per sentence (µJ) of the SNN and of its ANN twin under one preset. */
export interface PresetEnergy {
  snn: number;
  ann: number;
}

/** One evaluated setting of the SNN. */
export interface CardRun {
  numSteps: number;
  encoding: 'rate' | 'direct';
  accuracy: number | null;
  annMicrojoules: number | null;
  snnMicrojoules: number | null;
  /** Share of test texts on which the SNN predicts what its ANN twin predicts. */
  agreementWithAnn: number | null;
  /** Energy per sentence (µJ) under each energy preset the card was evaluated with, by preset id. */
  presets: Record<string, PresetEnergy>;
  firingRates: Record<string, number>;
}

/** The evaluation of a model, as its card reports it. */
export interface CardMetrics {
  dataset: string | null;
  split: string | null;
  testSize: number | null;
  annAccuracy: number | null;
  /** Sorted by encoding, then T. */
  runs: CardRun[];
  /** Trained parameters of the model, when the card records them. */
  parameters: number | null;
  /** NeuroBench's footprint: every stored value (tables included), their bytes as stored, and the share of zero weights in the synaptic layers. */
  footprint: { parameters: number; bytes: number; connectionSparsity: number | null } | null;
  /** Another model evaluated on the same test texts (`eval --baseline`), e.g. an LSTM. */
  baseline: { name: string; accuracy: number | null; parameters: number | null; microjoules: number | null } | null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** A card run's `presets` (energy per sentence under each energy preset, by id), the malformed ones left out. */
export function presetEnergies(value: unknown): Record<string, PresetEnergy> {
  const out: Record<string, PresetEnergy> = {};
  for (const [id, entry] of Object.entries(record(value) ?? {})) {
    const energy = record(entry);
    const ann = finite(energy?.annMicrojoules);
    const snn = finite(energy?.snnMicrojoules);
    if (ann !== null && snn !== null) out[id] = { snn, ann };
  }
  return out;
}

/** A run's energies under a preset: the card's figures for it, or the 45 nm float ones (`preset` says which). */
export function runEnergy(run: CardRun, preset: string): { annMicrojoules: number | null; snnMicrojoules: number | null; preset: string } {
  const priced = run.presets[preset];
  return priced ? { annMicrojoules: priced.ann, snnMicrojoules: priced.snn, preset } : { annMicrojoules: run.annMicrojoules, snnMicrojoules: run.snnMicrojoules, preset: 'float45' };
}

/** The card's metrics, or null when it has none this app can show. */
export function parseCardMetrics(metrics: unknown): CardMetrics | null {
  const card = record(metrics);
  if (!card) return null;
  const runs: CardRun[] = [];
  for (const entry of Array.isArray(card.snn) ? card.snn : []) {
    const run = record(entry);
    const numSteps = finite(run?.numSteps);
    if (!run || numSteps === null) continue;
    const energy = record(run.energyPerSentence);
    const rates = record(run.firingRates) ?? {};
    runs.push({
      numSteps,
      encoding: run.encoding === 'direct' ? 'direct' : 'rate',
      accuracy: finite(run.accuracy),
      annMicrojoules: finite(energy?.annMicrojoules),
      snnMicrojoules: finite(energy?.snnMicrojoules),
      agreementWithAnn: finite(run.agreementWithAnn),
      presets: presetEnergies(run.presets),
      firingRates: Object.fromEntries(Object.entries(rates).filter((pair): pair is [string, number] => finite(pair[1]) !== null)),
    });
  }
  runs.sort((a, b) => (a.encoding === b.encoding ? a.numSteps - b.numSteps : a.encoding === 'rate' ? -1 : 1));
  const annAccuracy = finite(record(card.ann)?.accuracy);
  if (runs.length === 0 && annAccuracy === null) return null;
  const base = record(card.baseline);
  const baseline = base && text(base.name) ? { name: text(base.name)!, accuracy: finite(base.accuracy), parameters: finite(base.parameters), microjoules: finite(base.microjoules) } : null;
  const print = record(card.footprint);
  const footprint = print && finite(print.parameters) !== null && finite(print.bytes) !== null ? { parameters: finite(print.parameters)!, bytes: finite(print.bytes)!, connectionSparsity: finite(print.connectionSparsity) } : null;
  return { dataset: text(card.dataset), split: text(card.split), testSize: finite(card.testSize), annAccuracy, runs, parameters: finite(card.parameters), footprint, baseline };
}

/** The largest energy of the card's runs (at least 1e-9), by a loop: a card may list many runs. */
export function largestEnergy(runs: readonly { snnMicrojoules?: number | null; annMicrojoules?: number | null }[]): number {
  let largest = 1e-9;
  for (const run of runs) largest = Math.max(largest, run.snnMicrojoules ?? 0, run.annMicrojoules ?? 0);
  return largest;
}
