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

/**
 * Why a spike count and the ANN twin's score differ where a count cannot reach the score: an output
 * neuron fires at most once per step, so `population · T` bounds a class's count. Null when the
 * twin's scores are within reach (or the readout is not a spike count).
 */
export function scoreCapNote(annScores: readonly number[] | null, numSteps: number, population: number, spikingReadout: boolean): string | null {
  if (!annScores || !spikingReadout) return null;
  const cap = numSteps * population;
  const top = Math.max(...annScores);
  if (!(top > cap)) return null;
  const needed = Math.ceil(top / population);
  return `A class's spike count cannot exceed ${cap} at T = ${numSteps} (one spike per step${population > 1 ? ` for each of its ${population} output neurons` : ''}), so the ANN twin's ${top.toFixed(3)} is out of reach: the counts match the twin's scores from T = ${needed} on.`;
}
