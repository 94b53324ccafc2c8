import type { AnnActivation } from '../model/spec';
import { applyActivation } from './activation';
import type { TrainActivation } from './activation-train';

/**
 * The recurrent layer of a quantised RNN over the tokens of a sentence, for training; twins of
 * `shaders/token_recurrent_forward.wgsl` and `shaders/token_recurrent_backward.wgsl`. U is given
 * transposed (`Uᵀ[j][h] = U[h][j]`, so that the kernels read four units' weights with one load) and
 * `hidden` is a multiple of 4. Per sample b, positions p < length_b in order (y_{−1} = 0; positions
 * past the length are 0 in every output):
 * ```
 * rec_p[h] = Σ_j U[h][j] · y_{p−1}[j]        (float32, j in fours: rec + (((a_j + a_{j+1}) + a_{j+2}) + a_{j+3}))
 * u_p = z_p + rec_p                         pre-activation
 * y_p = act(u_p)                            the engine's activation (`applyActivation`), step s learned
 * ```
 * `previous` holds y_{p−1} at row (b, p), so that `dU = Σ du_p ⊗ y_{p−1}` is the linear layer's weight
 * gradient over those rows. Backward through time with dy_p (from the layers after) given:
 * ```
 * g_p = dy_p + Uᵀ du_{p+1}      (0 past the last position)
 * du_p = g_p · act'(u_p)        quant: straight-through inside the clip range, [0 < u/s < L − 1]
 * ds = stepGradScale · Σ_b Σ_h Σ_p g_p · (u/s ≤ 0 ? 0 : u/s ≥ L − 1 ? L − 1 : ⌊u/s + ½⌋ − u/s)   (LSQ)
 * ```
 * the same terms as `activation-train.ts`, with g_p the gradient of y_p through every later position.
 * The step gradient is summed per (sample, unit) over positions, then over samples and units in that
 * order, so the GPU sums deterministically without atomics.
 */
export interface TokenRecurrentTrainShape {
  batch: number;
  positions: number;
  /** A multiple of 4. */
  hidden: number;
}

/** Throws unless `hidden` is a positive multiple of 4 (the kernels' vectors of four units). */
export function checkTokenRecurrentHidden(hidden: number): void {
  if (!Number.isInteger(hidden) || hidden < 4 || hidden % 4 !== 0) throw new RangeError(`The recurrent layer's training kernels need a hidden size that is a multiple of 4, got ${hidden}.`);
}

function annActivation(activation: TrainActivation, step: number): AnnActivation {
  return activation.kind === 'quant' ? { kind: 'quant', step, levels: activation.levels } : activation;
}

/** u, y and y_{p−1} `[batch][positions][hidden]` (see above). */
export function tokenRecurrentForwardTrainReference(
  shape: TokenRecurrentTrainShape,
  activation: TrainActivation,
  step: number,
  input: Float32Array,
  transposedRecurrentWeights: Float32Array,
  lengths: Uint32Array,
): { preActivation: Float32Array; output: Float32Array; previous: Float32Array } {
  const { batch, positions, hidden } = shape;
  checkTokenRecurrentHidden(hidden);
  const ann = annActivation(activation, step);
  const preActivation = new Float32Array(batch * positions * hidden);
  const output = new Float32Array(batch * positions * hidden);
  const previous = new Float32Array(batch * positions * hidden);
  const f = Math.fround;
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < Math.min(positions, lengths[b]); p++) {
      const row = (b * positions + p) * hidden;
      const w = (h: number, j: number) => f(transposedRecurrentWeights[j * hidden + h] * previous[row + j]);
      if (p > 0) previous.set(output.subarray(row - hidden, row), row);
      for (let h = 0; h < hidden; h++) {
        let rec = 0;
        for (let j = 0; j < hidden; j += 4) rec = f(rec + f(f(f(w(h, j) + w(h, j + 1)) + w(h, j + 2)) + w(h, j + 3)));
        const u = f(input[row + h] + rec);
        preActivation[row + h] = u;
        output[row + h] = applyActivation(u, ann);
      }
    }
  }
  return { preActivation, output, previous };
}

/** du `[batch][positions][hidden]` and the scaled step gradient (see above). */
export function tokenRecurrentBackwardTrainReference(
  shape: TokenRecurrentTrainShape,
  activation: TrainActivation,
  step: number,
  preActivation: Float32Array,
  transposedRecurrentWeights: Float32Array,
  lengths: Uint32Array,
  gradOutput: Float32Array,
  stepGradScale: number,
): { gradInput: Float32Array; gradStep: number } {
  const { batch, positions, hidden } = shape;
  checkTokenRecurrentHidden(hidden);
  const gradInput = new Float32Array(batch * positions * hidden);
  const partials = new Float64Array(batch * hidden);
  const fromLater = new Float64Array(hidden);
  const top = activation.kind === 'quant' ? activation.levels - 1 : 0;
  for (let b = 0; b < batch; b++) {
    fromLater.fill(0);
    for (let p = Math.min(positions, lengths[b]) - 1; p >= 0; p--) {
      const row = (b * positions + p) * hidden;
      for (let h = 0; h < hidden; h++) {
        const g = gradOutput[row + h] + fromLater[h];
        const u = preActivation[row + h];
        let du = g;
        if (activation.kind === 'relu') du = u > 0 ? g : 0;
        else if (activation.kind === 'quant') {
          const x = Math.fround(u / step);
          if (x <= 0) du = 0;
          else if (x >= top) {
            du = 0;
            partials[b * hidden + h] += g * top;
          } else partials[b * hidden + h] += g * (Math.floor(Math.fround(x + 0.5)) - x);
        }
        gradInput[row + h] = du;
      }
      for (let j = 0; j < hidden; j++) {
        let sum = 0;
        for (let h = 0; h < hidden; h++) sum += transposedRecurrentWeights[j * hidden + h] * gradInput[row + h];
        fromLater[j] = sum;
      }
    }
  }
  let gradStep = 0;
  for (const partial of partials) gradStep += partial;
  return { gradInput, gradStep: gradStep * stepGradScale };
}
