/**
 * Gradient of pooling over positions, twin of `shaders/pool_backward.wgsl`. The forward pass is the
 * engine's own (`poolSumReference` then `scaleRowsReference`): `y[b][c] = scale[b][c] · Σ_{q < valid[b][c]} x[b][q][c]`,
 * so
 * ```
 * dx[b][q][c] = q < valid[b][c] ? dy[b][c] · scale[b][c] : 0
 * ```
 * (one float32 multiply).
 */
export function poolBackwardReference(
  batch: number,
  positions: number,
  channels: number,
  gradOutput: Float32Array,
  validPositions: Uint32Array,
  scale: Float32Array,
): Float32Array {
  const out = new Float32Array(batch * positions * channels);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      const valid = Math.min(positions, validPositions[b * channels + c]);
      const value = Math.fround(gradOutput[b * channels + c] * scale[b * channels + c]);
      for (let q = 0; q < valid; q++) out[(b * positions + q) * channels + c] = value;
    }
  }
  return out;
}
