/**
 * Threshold balancing for conversion (architecture §2.1, Lv et al.): the activations of the trained ANN
 * on training sentences, summarised by a high percentile per layer, so that each spiking layer's
 * threshold matches the range its ANN twin actually uses.
 */
import { evaluationBatches, makeBatch, type EncodedExample } from './batches';
import type { TextCnnTrainer } from './textcnn';
import { validPositionsOf } from '../reference/conv-train';

/** The `q`-th percentile (0–100) of `values` (nearest rank); 0 for none. */
export function percentile(values: Float32Array | number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Positive activations of each layer of the ANN on some sentences. */
export interface LayerActivations {
  /** Pre-activations Z > 0 at valid positions (the ANN's ReLU outputs there). */
  conv: Float32Array;
  /** Pooled features (> 0). */
  pooled: Float32Array;
  /** Class-centred logits (`z_k − mean_j z_j`) > 0: what `centreClasses` weights produce. */
  logits: Float32Array;
  /** The maximum class-centred logit of each sentence. */
  maxLogits: Float32Array;
}

export async function collectActivations<T>(trainer: TextCnnTrainer<T>, examples: readonly EncodedExample[], batchSize: number, maxTokens: number): Promise<LayerActivations> {
  const conv: number[] = [];
  const pooled: number[] = [];
  const logits: number[] = [];
  const maxLogits: number[] = [];
  const { widths, filters, classes } = trainer.config;
  const C = widths.length * filters;
  for (const { examples: chunk } of evaluationBatches(examples, batchSize)) {
    const batch = makeBatch(chunk, trainer.config.minLength, maxTokens);
    const result = await trainer.activations(batch);
    for (let b = 0; b < batch.batch; b++) {
      widths.forEach((width, k) => {
        const valid = validPositionsOf(batch.lengths[b], width, result.positions);
        for (let q = 0; q < valid; q++) {
          for (let f = 0; f < filters; f++) {
            const z = result.z[(b * result.positions + q) * C + k * filters + f];
            if (z > 0) conv.push(z);
          }
        }
      });
      for (let c = 0; c < C; c++) if (result.pooled[b * C + c] > 0) pooled.push(result.pooled[b * C + c]);
      let top = -Infinity;
      let mean = 0;
      for (let k = 0; k < classes; k++) mean += result.logits[b * classes + k] / classes;
      for (let k = 0; k < classes; k++) {
        const value = result.logits[b * classes + k] - mean;
        if (value > 0) logits.push(value);
        top = Math.max(top, value);
      }
      maxLogits.push(top);
    }
  }
  return { conv: Float32Array.from(conv), pooled: Float32Array.from(pooled), logits: Float32Array.from(logits), maxLogits: Float32Array.from(maxLogits) };
}
