/**
 * The LSTM over the positions of a sequence (the baseline LITE-SNN is measured against, architecture
 * §2.6), twin of `shaders/lstm.wgsl` (forward) and `shaders/lstm_backward.wgsl`. The input's part of
 * the gates, `z_p = W·x_p + b` `[4H]`, is a linear layer computed before; per sequence, position by
 * position, in the gate order i, f, g, o (PyTorch's):
 * ```
 * a_p = z_p + U·h_{p−1}                          U [4H][H], h_{−1} = c_{−1} = 0 (or the carry)
 * i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)      σ(x) = 1 / (1 + exp(−x))
 * c_p = f·c_{p−1} + i·g        h_p = o·tanh(c_p)
 * ```
 * Positions past a sequence's length give h = 0 and leave the state unchanged. Float32: every
 * operation rounded with `Math.fround`, `U·h` summed in ascending k. The kernels' `exp` and `tanh`
 * are not correctly rounded, so the twins agree to a tolerance, not bit for bit.
 *
 * Backward through time, last position to first, with `dh` the gradient of h_p from the layer after
 * and `δh`, `δc` those arriving from position p + 1:
 * ```
 * dh = dh_p + δh         dc = dh·o·(1 − tanh²c_p) + δc
 * da_i = dc·g·i(1 − i)   da_f = dc·c_{p−1}·f(1 − f)   da_g = dc·i·(1 − g²)   da_o = dh·tanh(c_p)·o(1 − o)
 * δc ← dc·f              δh ← Uᵀ·da_p
 * ```
 * `da` is the gradient of z (and so of W, b and x through the linear layer); `dU = Σ_p da_p ⊗ h_{p−1}`
 * (`lstmRecurrentGradReference`, twin of `shaders/lstm_recurrent_grad.wgsl`).
 */
export interface LstmShape {
  /** Independent sequences (steps × samples, time-major). */
  sequences: number;
  /** Entries of `lengths`: sequence s runs `lengths[s % batch]` positions. */
  batch: number;
  positions: number;
  hidden: number;
}

const f = Math.fround;

export function sigmoid(x: number): number {
  return f(1 / f(1 + f(Math.exp(-x))));
}

/** The output h, and what the backward needs: gate activations `[seq][P][4H]` and cells `[seq][P][H]`. */
export interface LstmForwardResult {
  output: Float32Array;
  gates: Float32Array;
  cells: Float32Array;
  /** `[seq][2H]`: h and c after each sequence's last running position. */
  carry: Float32Array;
}

/**
 * The forward pass over `z [seq][P][4H]`; `lengths[s]` positions of sequence s run. `carry [seq][2H]`
 * (h then c) is the state before the first position (zeros when not given).
 */
export function lstmForwardReference(shape: LstmShape, z: Float32Array, recurrentWeights: Float32Array, lengths: Uint32Array, carry?: Float32Array): LstmForwardResult {
  const { sequences: S, positions: P, hidden: H } = shape;
  const output = new Float32Array(S * P * H);
  const gates = new Float32Array(S * P * 4 * H);
  const cells = new Float32Array(S * P * H);
  const state = carry ? carry.slice(0, S * 2 * H) : new Float32Array(S * 2 * H);
  const a = new Float32Array(4 * H);
  for (let s = 0; s < S; s++) {
    const h = state.subarray(s * 2 * H, s * 2 * H + H);
    const c = state.subarray(s * 2 * H + H, (s + 1) * 2 * H);
    const running = Math.min(P, lengths[s % shape.batch]);
    for (let p = 0; p < running; p++) {
      const row = s * P + p;
      for (let r = 0; r < 4 * H; r++) {
        let sum = 0;
        for (let k = 0; k < H; k++) sum = f(sum + f(recurrentWeights[r * H + k] * h[k]));
        a[r] = f(z[row * 4 * H + r] + sum);
      }
      for (let j = 0; j < H; j++) {
        const i = sigmoid(a[j]);
        const fg = sigmoid(a[H + j]);
        const g = f(Math.tanh(a[2 * H + j]));
        const o = sigmoid(a[3 * H + j]);
        const cell = f(f(fg * c[j]) + f(i * g));
        const out = f(o * f(Math.tanh(cell)));
        gates[row * 4 * H + j] = i;
        gates[row * 4 * H + H + j] = fg;
        gates[row * 4 * H + 2 * H + j] = g;
        gates[row * 4 * H + 3 * H + j] = o;
        cells[row * H + j] = cell;
        output[row * H + j] = out;
      }
      for (let j = 0; j < H; j++) {
        c[j] = cells[row * H + j];
        h[j] = output[row * H + j];
      }
    }
  }
  return { output, gates, cells, carry: state };
}

/** `da [seq][P][4H]` from `dh [seq][P][H]` and what the forward kept (no carry: one chunk). */
export function lstmBackwardReference(shape: LstmShape, kept: Pick<LstmForwardResult, 'gates' | 'cells'>, recurrentWeights: Float32Array, lengths: Uint32Array, gradOutput: Float32Array): Float32Array {
  const { sequences: S, positions: P, hidden: H } = shape;
  const gradGates = new Float32Array(S * P * 4 * H);
  const dhNext = new Float32Array(H);
  const dcNext = new Float32Array(H);
  for (let s = 0; s < S; s++) {
    dhNext.fill(0);
    dcNext.fill(0);
    for (let p = Math.min(P, lengths[s % shape.batch]) - 1; p >= 0; p--) {
      const row = s * P + p;
      for (let j = 0; j < H; j++) {
        const i = kept.gates[row * 4 * H + j];
        const fg = kept.gates[row * 4 * H + H + j];
        const g = kept.gates[row * 4 * H + 2 * H + j];
        const o = kept.gates[row * 4 * H + 3 * H + j];
        const cell = kept.cells[row * H + j];
        const cellBefore = p > 0 ? kept.cells[(row - 1) * H + j] : 0;
        const tc = f(Math.tanh(cell));
        const dh = f(gradOutput[row * H + j] + dhNext[j]);
        const dc = f(f(f(dh * o) * f(1 - f(tc * tc))) + dcNext[j]);
        gradGates[row * 4 * H + j] = f(f(dc * g) * f(i * f(1 - i)));
        gradGates[row * 4 * H + H + j] = f(f(dc * cellBefore) * f(fg * f(1 - fg)));
        gradGates[row * 4 * H + 2 * H + j] = f(f(dc * i) * f(1 - f(g * g)));
        gradGates[row * 4 * H + 3 * H + j] = f(f(dh * tc) * f(o * f(1 - o)));
        dcNext[j] = f(dc * fg);
      }
      // δh[k] = Σ_r U[r][k] · da[r], r ascending.
      for (let k = 0; k < H; k++) {
        let sum = 0;
        for (let r = 0; r < 4 * H; r++) sum = f(sum + f(recurrentWeights[r * H + k] * gradGates[row * 4 * H + r]));
        dhNext[k] = sum;
      }
    }
  }
  return gradGates;
}

/** `dU [4H][H] = Σ_s Σ_p da[s][p] ⊗ h[s][p − 1]` over the running positions after the first, summed in (s, p) order (one chunk, no carry). */
export function lstmRecurrentGradReference(shape: LstmShape, output: Float32Array, gradGates: Float32Array, lengths: Uint32Array): Float32Array {
  const { sequences: S, positions: P, hidden: H } = shape;
  const grad = new Float32Array(4 * H * H);
  for (let r = 0; r < 4 * H; r++) {
    for (let k = 0; k < H; k++) {
      let sum = 0;
      for (let s = 0; s < S; s++) {
        const running = Math.min(P, lengths[s % shape.batch]);
        for (let p = 1; p < running; p++) sum = f(sum + f(gradGates[(s * P + p) * 4 * H + r] * output[(s * P + p - 1) * H + k]));
      }
      grad[r * H + k] = sum;
    }
  }
  return grad;
}
