/** Sizes of an inference convolution over token positions (the TextCNN layer), several widths in parallel. */
export interface ConvShape {
  /** Rows of the input, `T · batch` (time-major); the sample of row r is `r % batch`. */
  rows: number;
  batch: number;
  /** Token positions per row (the padded sentence length). */
  tokens: number;
  inChannels: number;
  /** One branch per width, in this order: weights are concatenated and channels numbered in it. */
  widths: number[];
  /** Filters per branch. */
  filters: number;
}

/**
 * Output positions per row: those of the narrowest branch, `tokens − min(widths) + 1`, never below 0.
 * Wider branches leave their last positions masked (0), so that all branches share one layout.
 */
export function convPositionsOf(shape: ConvShape): number {
  return Math.max(0, shape.tokens - Math.min(...shape.widths) + 1);
}

/** Output channels per position, `widths.length · filters`; channel `branch · filters + f`. */
export function convChannelsOf(shape: ConvShape): number {
  return shape.widths.length * shape.filters;
}

/** Offset of each branch's `[filters][width][inChannels]` weights in the concatenated tensor. */
export function convBranchWeightOffsets(shape: ConvShape): number[] {
  const offsets: number[] = [];
  let offset = 0;
  for (const width of shape.widths) {
    offsets.push(offset);
    offset += shape.filters * width * shape.inChannels;
  }
  return offsets;
}

/** Throws a RangeError naming what is wrong with `shape` (widths must be whole numbers ≥ 1). */
export function checkConvShape(shape: ConvShape): void {
  const sizes = { rows: shape.rows, batch: shape.batch, tokens: shape.tokens, inChannels: shape.inChannels, filters: shape.filters };
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`conv: ${name} must be a whole number ≥ 0, got ${value}.`);
  }
  if (shape.batch < 1) throw new RangeError('conv: batch must be at least 1.');
  if (shape.widths.length === 0 || shape.widths.some((width) => !Number.isInteger(width) || width < 1)) {
    throw new RangeError(`conv: widths must be a non-empty list of whole numbers ≥ 1, got [${shape.widths.join(', ')}].`);
  }
}

/**
 * The convolution over token positions at inference, the twin of `shaders/conv.wgsl`.
 *
 * Input `X [rows][tokens][inChannels]`; weights of all branches concatenated in the order of `widths`,
 * branch b (width w_b) `W_b [filters][w_b][inChannels]`; `bias [widths.length · filters]` or null;
 * `lengths [batch]` the valid tokens of each sample (at most `tokens`; more counts as `tokens`). Output `Z [rows][positions][channels]` with
 * channel `c = b · filters + f`:
 * ```
 * Z[r][j][c] = Σ_i Σ_d W_b[f][i][d] · X[r][j+i][d]  (+ bias[c])    when j + w_b ≤ lengths[r % batch]
 * Z[r][j][c] = 0                                                     otherwise (masked)
 * ```
 * Float32, rounded after every operation in this order, the kernel's:
 * `acc = 0; for i in 0..w_b−1: for d in 0..inChannels−1: acc = acc + W·X; then acc = acc + bias[c]`.
 * Spike inputs in {0, 1} therefore agree bit for bit with the GPU; analog inputs to a relative
 * tolerance (the GPU may fuse multiply and add).
 */
export function convReference(
  shape: ConvShape,
  input: Float32Array,
  weights: Float32Array,
  bias: Float32Array | null,
  lengths: Uint32Array,
): Float32Array {
  checkConvShape(shape);
  const { rows, batch, tokens, inChannels, widths, filters } = shape;
  const positions = convPositionsOf(shape);
  const channels = convChannelsOf(shape);
  const offsets = convBranchWeightOffsets(shape);
  const output = new Float32Array(rows * positions * channels);
  for (let r = 0; r < rows; r++) {
    const length = Math.min(lengths[r % batch], tokens);
    for (let b = 0; b < widths.length; b++) {
      const width = widths[b];
      for (let j = 0; j < positions && j + width <= length; j++) {
        for (let f = 0; f < filters; f++) {
          const c = b * filters + f;
          let acc = 0;
          for (let i = 0; i < width; i++) {
            const weightRow = offsets[b] + (f * width + i) * inChannels;
            const inputRow = (r * tokens + j + i) * inChannels;
            for (let d = 0; d < inChannels; d++) {
              acc = Math.fround(acc + Math.fround(weights[weightRow + d] * input[inputRow + d]));
            }
          }
          if (bias) acc = Math.fround(acc + bias[c]);
          output[(r * positions + j) * channels + c] = acc;
        }
      }
    }
  }
  return output;
}
