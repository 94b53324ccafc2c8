/**
 * Softmax cross-entropy over a batch, twin of `shaders/cross_entropy.wgsl`. For logits `z [batch][classes]`
 * and labels `y [batch]`:
 * ```
 * loss_b = log Σ_k exp(z_bk − m_b) − (z_{b,y_b} − m_b),   m_b = max_k z_bk
 * dz_bk  = (softmax(z_b)_k − [k = y_b]) · gradScale        (gradScale = 1 / batch for the mean loss)
 * ```
 * Also reports whether the argmax (ties to the lowest class, as the engine's readout) is the label.
 */
export function crossEntropyReference(
  logits: Float32Array,
  labels: Int32Array,
  classes: number,
  gradScale: number,
): { losses: Float32Array; correct: Float32Array; gradLogits: Float32Array } {
  const batch = labels.length;
  const losses = new Float32Array(batch);
  const correct = new Float32Array(batch);
  const gradLogits = new Float32Array(batch * classes);
  for (let b = 0; b < batch; b++) {
    let max = -Infinity;
    let best = 0;
    for (let k = 0; k < classes; k++) {
      const z = logits[b * classes + k];
      if (z > max) {
        max = z;
        best = k;
      }
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[b * classes + k] - max);
    losses[b] = Math.log(sum) - (logits[b * classes + labels[b]] - max);
    correct[b] = best === labels[b] ? 1 : 0;
    for (let k = 0; k < classes; k++) {
      const p = Math.exp(logits[b * classes + k] - max) / sum;
      gradLogits[b * classes + k] = (p - (k === labels[b] ? 1 : 0)) * gradScale;
    }
  }
  return { losses, correct, gradLogits };
}
