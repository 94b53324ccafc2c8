/**
 * The gradients of a fully connected layer, for training. Twins of `shaders/linear_train.wgsl`.
 * The forward pass is the inference layer (`linearReference`, `recordLinear`):
 * input `x [rows][in]`, weights `W [out][in]`, optional bias `[out]`, output
 * `y[r][o] = Σ_i W[o][i] · x[r][i] (+ bias[o])`.
 * ```
 * dW[o][i] = Σ_r dy[r][o] · x[r][i]        dbias[o] = Σ_r dy[r][o]
 * dx[r][i] = Σ_o dy[r][o] · W[o][i]
 * ```
 * Accumulated in float64, stored as float32.
 */
export interface LinearTrainShape {
  rows: number;
  inFeatures: number;
  outFeatures: number;
}

/** `[out][in]` weight gradient followed by the `[out]` bias gradient. */
export function linearWeightBackwardReference(shape: LinearTrainShape, input: Float32Array, gradOutput: Float32Array): { weights: Float32Array; bias: Float32Array } {
  const { rows, inFeatures: I, outFeatures: O } = shape;
  const weights = new Float32Array(O * I);
  const bias = new Float32Array(O);
  for (let o = 0; o < O; o++) {
    let biasAcc = 0;
    for (let i = 0; i < I; i++) {
      let acc = 0;
      for (let r = 0; r < rows; r++) acc += gradOutput[r * O + o] * input[r * I + i];
      weights[o * I + i] = acc;
    }
    for (let r = 0; r < rows; r++) biasAcc += gradOutput[r * O + o];
    bias[o] = biasAcc;
  }
  return { weights, bias };
}

export function linearInputBackwardReference(shape: LinearTrainShape, weights: Float32Array, gradOutput: Float32Array): Float32Array {
  const { rows, inFeatures: I, outFeatures: O } = shape;
  const out = new Float32Array(rows * I);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < I; i++) {
      let acc = 0;
      for (let o = 0; o < O; o++) acc += gradOutput[r * O + o] * weights[o * I + i];
      out[r * I + i] = acc;
    }
  }
  return out;
}
