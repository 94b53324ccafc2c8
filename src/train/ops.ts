/** The optimiser's settings and the read-back of the loss: what every training loop shares. */
import type { TensorOps } from '../engine/ops';
import type { AdamWSettings } from '../reference/adamw';


/** AdamW settings with the moments every trainer here uses: β1 = 0.9, β2 = 0.999, ε = 1e-8. */
export function adamWSettings(args: Pick<AdamWSettings, 'learningRate' | 'weightDecay' | 'step' | 'low' | 'high'>): AdamWSettings {
  return { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, ...args };
}

/** Finishes the batch and sums the cross-entropy's `stats [batch][2]`: its loss and correct predictions. */
export async function readLossAndCorrect<Tensor>(ops: TensorOps<Tensor>, stats: Tensor, batch: number): Promise<{ loss: number; correct: number }> {
  const [values] = await ops.read([{ tensor: stats, length: 2 * batch }]);
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < batch; b++) {
    loss += values[2 * b];
    correct += values[2 * b + 1];
  }
  return { loss, correct };
}

/**
 * LSQ's initial step, `2·mean(z) / √(L − 1)` over the positive pre-activations z of a batch, so
 * that the quantiser's levels cover the bulk of them (1 when none is positive).
 */
export function lsqInitialStep(z: Float32Array, levels: number): number {
  let sum = 0;
  let count = 0;
  for (const value of z) {
    if (value > 0) {
      sum += value;
      count++;
    }
  }
  return count > 0 ? (2 * (sum / count)) / Math.sqrt(levels - 1) : 1;
}
