/** When the spiking network's decision settles, from its cumulative output spikes. Pure. */

/**
 * The first step (0-based) from which class `winner` has strictly more output spikes than every
 * other class at every remaining step; null if it does not lead at the last step.
 */
export function decidedAtStep(cumulative: readonly (readonly number[])[], winner: number): number | null {
  let decided: number | null = null;
  cumulative.forEach((counts, step) => {
    const leads = counts.every((count, c) => c === winner || counts[winner] > count);
    if (leads && decided === null) decided = step;
    if (!leads) decided = null;
  });
  return decided;
}

/** A score as shown: a spike count as it is, the summed current of a non-spiking readout to 3 decimals. */
export function formatScore(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}
