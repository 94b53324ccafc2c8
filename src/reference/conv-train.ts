import { convBranchWeightOffsets, convPositionsOf, type ConvShape } from './conv';

/**
 * The two gradients of the convolution over token positions, for training. Twins of
 * `shaders/conv_weight_backward.wgsl` and `shaders/conv_input_backward.wgsl`. The forward pass is
 * the inference convolution (`convReference`, `recordConv`) with one row per sample: see
 * `convShapeOfTrain`.
 *
 * Shapes: input `X [batch][tokens][inChannels]`; weights of all branches concatenated,
 * `W [branch][filters][width_k][inChannels]` (the layout of `engine/resident.ts`); output
 * `Z [batch][positions][branches · filters]` with `positions = tokens − min(widths) + 1`. Channel
 * `c = k · filters + f` of branch k (width w_k) is valid at positions `q < valid_k(b) =
 * max(0, lengths[b] − w_k + 1)`; elsewhere it is masked (0, and no gradient flows through it).
 * ```
 * dW[k][f][i][d]  = Σ_b Σ_{q < valid_k(b)} dZ[b][q][kF+f] · X[b][q+i][d]
 * dX[b][j][d]     = Σ_k Σ_i Σ_f dZ[b][j−i][kF+f] · W[k][f][i][d]               (0 ≤ j−i < valid_k(b))
 * ```
 * Sums are accumulated in float64 and stored as float32: the GPU (float32, another order) agrees
 * to a relative tolerance, not bit for bit.
 */

/** Sizes of a training convolution: one row per sample (no time steps). */
export type ConvTrainShape = Omit<ConvShape, 'rows'>;

/** The inference shape of a training convolution: `rows = batch`, so row r is sample r. */
export function convShapeOfTrain(shape: ConvTrainShape): ConvShape {
  return { ...shape, rows: shape.batch };
}

/** Output positions (those of the narrowest branch), as `convPositionsOf`. */
export function convTrainPositions(shape: ConvTrainShape): number {
  return convPositionsOf(convShapeOfTrain(shape));
}

/** Offset of each branch's weights in the concatenated tensor, and the total length. */
export function convWeightOffsets(shape: ConvTrainShape): { offsets: number[]; total: number } {
  const offsets = convBranchWeightOffsets(convShapeOfTrain(shape));
  const total = shape.widths.reduce((sum, width) => sum + shape.filters * width * shape.inChannels, 0);
  return { offsets, total };
}

/** Positions of branch `width` that sample of length `length` reaches. */
export function validPositionsOf(length: number, width: number, positions: number): number {
  return Math.max(0, Math.min(positions, length - width + 1));
}

export function convWeightBackwardReference(shape: ConvTrainShape, input: Float32Array, gradOutput: Float32Array, lengths: Uint32Array): Float32Array {
  const { batch, tokens, inChannels: D, widths, filters: F } = shape;
  const P = convTrainPositions(shape);
  const C = widths.length * F;
  const { offsets, total } = convWeightOffsets(shape);
  const grad = new Float64Array(total);
  for (let b = 0; b < batch; b++) {
    widths.forEach((w, k) => {
      const valid = validPositionsOf(lengths[b], w, P);
      for (let q = 0; q < valid; q++) {
        for (let f = 0; f < F; f++) {
          const dz = gradOutput[(b * P + q) * C + k * F + f];
          if (dz === 0) continue;
          for (let i = 0; i < w; i++) {
            const x = (b * tokens + q + i) * D;
            const wt = offsets[k] + (f * w + i) * D;
            for (let d = 0; d < D; d++) grad[wt + d] += dz * input[x + d];
          }
        }
      }
    });
  }
  return Float32Array.from(grad);
}

export function convInputBackwardReference(shape: ConvTrainShape, weights: Float32Array, gradOutput: Float32Array, lengths: Uint32Array): Float32Array {
  const { batch, tokens, inChannels: D, widths, filters: F } = shape;
  const P = convTrainPositions(shape);
  const C = widths.length * F;
  const { offsets } = convWeightOffsets(shape);
  const grad = new Float64Array(batch * tokens * D);
  for (let b = 0; b < batch; b++) {
    widths.forEach((w, k) => {
      const valid = validPositionsOf(lengths[b], w, P);
      for (let q = 0; q < valid; q++) {
        for (let f = 0; f < F; f++) {
          const dz = gradOutput[(b * P + q) * C + k * F + f];
          for (let i = 0; i < w; i++) {
            const x = (b * tokens + q + i) * D;
            const wt = offsets[k] + (f * w + i) * D;
            for (let d = 0; d < D; d++) grad[x + d] += dz * weights[wt + d];
          }
        }
      }
    });
  }
  return Float32Array.from(grad);
}
