/** Sizes of a pooling call: input `[rows][positions][channels]`, output `[rows][channels]`. */
export interface PoolShape {
  /** Rows of the input, `T · batch` (time-major); the sample of row r is `r % batch`. */
  rows: number;
  batch: number;
  positions: number;
  channels: number;
}

/**
 * Sum over positions, the twin of `shaders/pool.wgsl` (sum): for each row r and channel c, with
 * `valid = min(validPositions[r % batch][c], positions)` leading positions counting (the rest are masked),
 * ```
 * acc = accumulateInto ? accumulateInto[r][c] : 0
 * for j in 0 .. valid − 1:  acc = acc + input[r][j][c]
 * ```
 * Float32, rounded after each addition, in position order. With `accumulateInto` the sums are added
 * onto it in place (and it is returned), so that a sentence pooled in chunks of positions gives the same
 * result as pooled at once; otherwise a new array is returned.
 */
export function poolSumReference(
  shape: PoolShape,
  input: Float32Array,
  validPositions: Uint32Array,
  accumulateInto?: Float32Array,
): Float32Array {
  const { rows, batch, positions, channels } = shape;
  const output = accumulateInto ?? new Float32Array(rows * channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const valid = Math.min(validPositions[(r % batch) * channels + c], positions);
      let acc = accumulateInto ? output[r * channels + c] : 0;
      for (let j = 0; j < valid; j++) acc = Math.fround(acc + input[(r * positions + j) * channels + c]);
      output[r * channels + c] = acc;
    }
  }
  return output;
}

/**
 * Scales each row by its sample's per-channel factor, in place, the twin of `shaders/pool.wgsl` (scale rows):
 * `values[r][c] = values[r][c] · scale[r % batch][c]`, one float32 multiply. Average pooling is a sum
 * followed by this with `scale = fround(1 / count)`, so that both backends agree exactly.
 */
export function scaleRowsReference(rows: number, batch: number, channels: number, values: Float32Array, scale: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const index = r * channels + c;
      values[index] = Math.fround(values[index] * scale[(r % batch) * channels + c]);
    }
  }
}
