/** Throws a RangeError naming what is wrong with the sizes of a linear layer. */
export function checkLinearShape(rows: number, inFeatures: number, outFeatures: number): void {
  for (const [name, value] of Object.entries({ rows, inFeatures, outFeatures })) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`linear: ${name} must be a whole number ≥ 0, got ${value}.`);
  }
}

/**
 * The fully connected layer, the twin of `shaders/linear.wgsl`. Input `X [rows][inFeatures]`,
 * weights `W [outFeatures][inFeatures]`, `bias [outFeatures]` or null; output `Y [rows][outFeatures]`:
 * ```
 * Y[r][o] = Σ_i W[o][i] · X[r][i]  (+ bias[o])
 * ```
 * Float32, rounded after every operation in this order, the kernel's:
 * `acc = 0; for i in 0..inFeatures−1: acc = acc + W[o][i]·X[r][i]; then acc = acc + bias[o]`.
 * Spike inputs in {0, 1} therefore agree bit for bit with the GPU; analog inputs to a relative
 * tolerance (the GPU may fuse multiply and add).
 */
export function linearReference(
  rows: number,
  inFeatures: number,
  outFeatures: number,
  input: Float32Array,
  weights: Float32Array,
  bias: Float32Array | null,
): Float32Array {
  checkLinearShape(rows, inFeatures, outFeatures);
  const output = new Float32Array(rows * outFeatures);
  for (let r = 0; r < rows; r++) {
    const inputRow = r * inFeatures;
    for (let o = 0; o < outFeatures; o++) {
      const weightRow = o * inFeatures;
      let acc = 0;
      for (let i = 0; i < inFeatures; i++) acc = Math.fround(acc + Math.fround(weights[weightRow + i] * input[inputRow + i]));
      if (bias) acc = Math.fround(acc + bias[o]);
      output[r * outFeatures + o] = acc;
    }
  }
  return output;
}
