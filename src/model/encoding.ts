/**
 * From word vectors to firing probabilities (architecture §1.2, Lv et al.): one global mean μ and
 * standard deviation σ over the whole embedding table, and each component x becomes
 * `p = (clip(x, μ − kσ, μ + kσ) − μ + kσ) / (2kσ)` in [0, 1], k = `clipSigmas` (3 in the paper).
 * The rate encoder spikes with probability p at every step; the direct encoder feeds p as a current.
 *
 * Pure code: the probability table is uploaded to the GPU as is, so it is computed here in
 * float32, rounding with `Math.fround` after every operation.
 */

/** The encoder's settings cannot give probabilities (σ or k not positive, table not a multiple of the dimension). */
export class EncodingSettingsError extends Error {
  override name = 'EncodingSettingsError';
}

/** Global statistics of an embedding table, over all its components. */
export interface EmbeddingStatistics {
  mean: number;
  /** Population standard deviation (divides by the number of components). */
  std: number;
}

/**
 * Mean and (population) standard deviation over every component of the table, accumulated in
 * float64 in two passes, so the figures match a NumPy `table.mean()` / `table.std()`.
 * An empty table has mean 0 and std 0.
 */
export function embeddingStatistics(table: ArrayLike<number>): EmbeddingStatistics {
  const count = table.length;
  if (count === 0) return { mean: 0, std: 0 };
  let sum = 0;
  for (let i = 0; i < count; i++) sum += table[i];
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < count; i++) {
    const deviation = table[i] - mean;
    squares += deviation * deviation;
  }
  return { mean, std: Math.sqrt(squares / count) };
}

/**
 * Firing probability of every component of `embeddings` (`[rows][dim]`), architecture §1.2 (with
 * `clipLowSigmas` ≠ `clipSigmas`, the asymmetric range of the branch below):
 * ```
 * kσ = f(k·σ)   low = f(μ − kσ)   high = f(μ + kσ)   span = f(2·kσ)
 * p  = f(f(f(clip(x, low, high) − μ) + kσ) / span), then clamped to [0, 1]
 * ```
 * where f rounds to float32 and μ, σ are first rounded to float32. The final clamp only absorbs
 * float32 rounding at the edges (p may otherwise come out one ulp above 1). NaN components give 0.
 *
 * With `binarySigmas` = kB the input is binary instead: `p = x ≥ f(μ + kB·σ) ? 1 : 0` (the clip
 * range is then unused). Rate-encoded and presented at the first step only, each component at or
 * above the threshold fires exactly one spike: the cheapest input a spiking network can get.
 */
export function firingProbabilities(
  embeddings: ArrayLike<number>,
  dim: number,
  mean: number,
  std: number,
  clipSigmas: number,
  clipLowSigmas: number = clipSigmas,
  binarySigmas?: number,
): Float32Array {
  if (!Number.isInteger(dim) || dim < 1) throw new EncodingSettingsError(`embedding dimension must be a positive integer, got ${dim}`);
  if (embeddings.length % dim !== 0) {
    throw new EncodingSettingsError(`the table has ${embeddings.length} values, not a multiple of the dimension ${dim}; pass the [rows][dim] table`);
  }
  if (!(std > 0) || !Number.isFinite(std)) throw new EncodingSettingsError(`std must be a positive finite number, got ${std}; compute it with embeddingStatistics`);
  if (!(clipSigmas > 0) || !Number.isFinite(clipSigmas)) throw new EncodingSettingsError(`clipSigmas must be a positive finite number, got ${clipSigmas} (the paper uses 3)`);
  if (!Number.isFinite(mean)) throw new EncodingSettingsError(`mean must be a finite number, got ${mean}`);
  if (!(clipLowSigmas >= 0) || !Number.isFinite(clipLowSigmas)) throw new EncodingSettingsError(`clipLowSigmas must be a finite number >= 0, got ${clipLowSigmas}`);
  const f = Math.fround;
  const mu = f(mean);
  if (binarySigmas !== undefined) {
    // Binary input: one spike for each component at or above μ + kB·σ, none below.
    if (!Number.isFinite(binarySigmas)) throw new EncodingSettingsError(`binarySigmas must be a finite number, got ${binarySigmas}`);
    const threshold = f(mu + f(f(binarySigmas) * f(std)));
    return Float32Array.from({ length: embeddings.length }, (_, i) => (f(embeddings[i]) >= threshold ? 1 : 0));
  }
  if (clipLowSigmas !== clipSigmas) {
    // Asymmetric range [μ − kL·σ, μ + kH·σ]: p = (clip(x) − low) / span (kL = 0 silences every
    // component below the mean: sparse input, fewer spikes).
    const lowSigma = f(f(clipLowSigmas) * f(std));
    const low = f(mu - lowSigma);
    const high = f(mu + f(f(clipSigmas) * f(std)));
    const span = f(high - low);
    const out = new Float32Array(embeddings.length);
    for (let i = 0; i < embeddings.length; i++) {
      const x = f(embeddings[i]);
      if (Number.isNaN(x)) continue;
      const clipped = x < low ? low : x > high ? high : x;
      const p = f(f(clipped - low) / span);
      out[i] = p < 0 ? 0 : p > 1 ? 1 : p;
    }
    return out;
  }
  const kSigma = f(f(clipSigmas) * f(std));
  const low = f(mu - kSigma);
  const high = f(mu + kSigma);
  const span = f(2 * kSigma);
  const out = new Float32Array(embeddings.length);
  for (let i = 0; i < embeddings.length; i++) {
    const x = f(embeddings[i]);
    if (Number.isNaN(x)) continue;
    const clipped = x < low ? low : x > high ? high : x;
    const p = f(f(f(clipped - mu) + kSigma) / span);
    out[i] = p < 0 ? 0 : p > 1 ? 1 : p;
  }
  return out;
}
