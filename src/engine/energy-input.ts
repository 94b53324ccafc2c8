import { DEFAULT_ENERGY_SETTINGS, energyReport, type EnergyReport } from '../model/energy';
import type { NetworkSpec } from '../model/spec';
import type { RawOutput } from './executor';
import type { RunOptions } from './types';

/** The energy account of sample `b` (of padded length `length`) from the spikes the engine measured. */
export function sampleEnergy(spec: NetworkSpec, raw: RawOutput, b: number, length: number, options: RunOptions): EnergyReport {
  const validPositions = Math.max(0, length - raw.minWidth + 1);
  const layers = spec.layers.map((_, index) => {
    const events = raw.layerEvents.get(index);
    if (!events) return undefined;
    if (events.length === raw.batch) return events[b];
    return events.slice(b * raw.positions, b * raw.positions + validPositions);
  });
  return energyReport(
    spec,
    {
      tokens: length,
      numSteps: raw.numSteps,
      encoding: options.encoding,
      events: { input: raw.inputEvents.slice(b * raw.tokens, b * raw.tokens + length), layers },
    },
    options.energy ?? DEFAULT_ENERGY_SETTINGS,
  );
}
