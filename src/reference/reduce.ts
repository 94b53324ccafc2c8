/**
 * Spike counting, the twin of `shaders/reduce.wgsl`. All three reductions are one rule over an input
 * `[numSteps][outputs · groupSize]`:
 * ```
 * out[o] = Σ_t Σ_{k < groupSize} f(in[t][o · groupSize + k])     t outer ascending, k inner ascending
 * f(s) = |s| (events) or s (signed counts)
 * ```
 * Spike values are small integers, so float32 sums are exact and agree with the GPU exactly.
 */
function sumOverTimeAndGroups(input: Float32Array, numSteps: number, outputs: number, groupSize: number, absolute: boolean): Float32Array {
  const output = new Float32Array(outputs);
  const perStep = outputs * groupSize;
  for (let o = 0; o < outputs; o++) {
    let acc = 0;
    for (let t = 0; t < numSteps; t++) {
      const first = t * perStep + o * groupSize;
      for (let k = 0; k < groupSize; k++) acc = Math.fround(acc + (absolute ? Math.abs(input[first + k]) : input[first + k]));
    }
    output[o] = acc;
  }
  return output;
}

/** `[numSteps][n]` → `[n]`: signed sum over time, the spike count of each neuron (a BIF −1 counts −1). */
export function sumOverTimeReference(input: Float32Array, numSteps: number, n: number): Float32Array {
  return sumOverTimeAndGroups(input, numSteps, n, 1, false);
}

/**
 * `[numSteps][batch][positions][channels]` → `[batch][positions]`: spike events (|s| summed over time and
 * channels) per position, which energy accounting multiplies by each spike's fan-out.
 */
export function countEventsReference(input: Float32Array, numSteps: number, batch: number, positions: number, channels: number): Float32Array {
  return sumOverTimeAndGroups(input, numSteps, batch * positions, channels, true);
}

/**
 * The readout: `[numSteps][batch][classes · population]` (class-major) → `[batch][classes]`, signed
 * spike counts summed over time and over each class's population; the prediction is the largest.
 */
export function readoutReference(input: Float32Array, numSteps: number, batch: number, classes: number, population: number): Float32Array {
  return sumOverTimeAndGroups(input, numSteps, batch * classes, population, false);
}
