/**
 * How strongly each word drove the network: the spikes of the first positional spiking layer,
 * shared out to the words each neuron reads. A neuron at position p of a channel that covers w
 * tokens (a width-w convolution branch; stacked layers cover more) reads tokens p … p + w − 1, so
 * each of its spikes gives 1 / w to each of them. With the full spike train the share is exact per
 * channel; with only the per-position totals (long texts, where trains are not recorded) the
 * narrowest span is used. Pure.
 */

/** Drive per token from a `[numSteps][positions][channels]` train whose channel c covers `spans[c]` tokens. */
export function tokenDriveFromTrain(
  spikes: Float32Array,
  shape: { numSteps: number; positions: number; channels: number },
  spans: readonly number[],
  tokenCount: number,
): Float32Array {
  const { numSteps, positions, channels } = shape;
  const drive = new Float32Array(tokenCount);
  const counts = new Float32Array(positions * channels);
  for (let t = 0; t < numSteps; t++) {
    const base = t * positions * channels;
    for (let i = 0; i < counts.length; i++) counts[i] += Math.abs(spikes[base + i]);
  }
  for (let position = 0; position < positions; position++) {
    for (let channel = 0; channel < channels; channel++) {
      const count = counts[position * channels + channel];
      if (count === 0) continue;
      const width = Math.max(1, spans[Math.min(spans.length - 1, channel)] ?? 1);
      const end = Math.min(tokenCount, position + width);
      for (let token = position; token < end; token++) drive[token] += count / width;
    }
  }
  return drive;
}

/** Drive per token from spike events per position, spreading each over a window of `width` tokens. */
export function tokenDriveFromPositions(perPosition: Float32Array, width: number, tokenCount: number): Float32Array {
  const drive = new Float32Array(tokenCount);
  const span = Math.max(1, width);
  perPosition.forEach((count, position) => {
    const end = Math.min(tokenCount, position + span);
    for (let token = position; token < end; token++) drive[token] += count / span;
  });
  return drive;
}

/** Each value as a share of the largest (0 … 1); all zeros stay zeros. */
export function normalizeDrive(drive: Float32Array): Float32Array {
  let largest = 0;
  for (const value of drive) largest = Math.max(largest, value);
  return largest > 0 ? drive.map((value) => value / largest) : new Float32Array(drive.length);
}
