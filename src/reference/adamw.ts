/**
 * One AdamW step (Loshchilov & Hutter), in place, twin of `shaders/adamw.wgsl`:
 * ```
 * m = β1·m + (1 − β1)·g          v = β2·v + (1 − β2)·g²
 * p = p − lr · ( (m / c1) / (√(v / c2) + ε) + λ·p ),    c1 = 1 − β1^t, c2 = 1 − β2^t
 * p = clamp(p, low, high)                                 (a projection, for bounded parameters)
 * ```
 * Float32, rounded with `Math.fround` after each operation in the kernel's order.
 */
export interface AdamWSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** 1-based step count t. */
  step: number;
  /** Projection bounds (default unbounded). */
  low?: number;
  high?: number;
}

/** The per-step scalars the kernel receives: bias corrections computed once, in float64. */
export function adamWScalars(settings: AdamWSettings): { c1: number; c2: number } {
  return { c1: 1 - settings.beta1 ** settings.step, c2: 1 - settings.beta2 ** settings.step };
}

export function adamWReference(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, settings: AdamWSettings): void {
  const f = Math.fround;
  const { c1, c2 } = adamWScalars(settings);
  const beta1 = f(settings.beta1);
  const beta2 = f(settings.beta2);
  const lr = f(settings.learningRate);
  const eps = f(settings.epsilon);
  const decay = f(settings.weightDecay);
  const fc1 = f(c1);
  const fc2 = f(c2);
  const low = f(settings.low ?? -3.4e38);
  const high = f(settings.high ?? 3.4e38);
  for (let i = 0; i < param.length; i++) {
    const g = grad[i];
    m[i] = f(f(beta1 * m[i]) + f(f(1 - beta1) * g));
    v[i] = f(f(beta2 * v[i]) + f(f(1 - beta2) * f(g * g)));
    const update = f(f(m[i] / fc1) / f(f(Math.sqrt(f(v[i] / fc2))) + eps));
    const p = f(param[i] - f(lr * f(update + f(decay * param[i]))));
    param[i] = Math.min(high, Math.max(low, p));
  }
}
