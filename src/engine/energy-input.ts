import { networkGraph } from '../layers/graph';
import { positionsOf } from '../layers/shapes';
import { DEFAULT_ENERGY_SETTINGS, energyReport, type EnergyReport } from '../model/energy';
import type { NetworkSpec } from '../model/spec';
import type { RawOutput } from './executor';
import type { RunOptions } from './types';

/** The energy account of sample `b` (of padded length `length`) from the spikes the engine measured. */
export function sampleEnergy(spec: NetworkSpec, raw: RawOutput, b: number, length: number, options: RunOptions): EnergyReport {
  const graph = networkGraph(spec);
  const layers = graph.nodes.map((node) => {
    const events = raw.layerEvents.get(node.index);
    if (!events) return undefined;
    if (!node.shape.positional) return events[b];
    const positions = positionsOf(node.shape, raw.tokens);
    return events.slice(b * positions, b * positions + positionsOf(node.shape, length));
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
