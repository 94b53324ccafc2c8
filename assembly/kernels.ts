// WebAssembly SIMD kernels of the fast CPU backend (compiled with AssemblyScript: `npm run build:wasm`).
//
// Every kernel works on pointers into one linear memory and touches only the rows it is given, so
// several threads can share the memory and split the rows. No allocation happens here: the caller
// (src/wasm/) owns the memory. Float32 arithmetic keeps the reference's order for every output
// (a sum over the reduction index in increasing order, each product and sum rounded; no fused
// multiply-add), so results equal the CPU reference bit for bit; vectors run across output channels.

// ---------------------------------------------------------------------------------------------
// Convolution over token positions (src/reference/conv.ts), several widths in parallel.
//
// input   [rows][tokens][inC] f32
// packed  per branch b, [w_b][inC][fPad] f32 (the weights transposed, filters padded to fPad = 4·⌈filters/4⌉ with 0)
// output  [rows][positions][channels] f32, channel = b·filters + f; positions past a row's valid ones are 0
// lengths [batch] u32, the valid tokens of sample r % batch
// widths  [branches] i32
// bias    [branches·filters] f32 or 0
// scratch per thread: 2·tokens·inC + tokens 32-bit words (events), used by the sparse path
// ---------------------------------------------------------------------------------------------

@inline function storeLanes(p: usize, v: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p + 4, f32x4.extract_lane(v, 1));
  if (n > 2) store<f32>(p + 8, f32x4.extract_lane(v, 2));
}

/** Adds the bias (when given) and stores `acc` at filters [f, f + 4) of an output row, clipped to `filters`. */
@inline function finish(acc: v128, out: usize, bias: usize, f: i32, filters: i32): void {
  let result = acc;
  if (bias != 0) {
    // Lanes past `filters` read the next branch's bias or past the end: they are never stored.
    if (f + 4 <= filters) result = f32x4.add(result, v128.load(bias + (<usize>f << 2)));
    else {
      let b = f32x4.splat(0);
      b = f32x4.replace_lane(b, 0, load<f32>(bias + (<usize>f << 2)));
      if (f + 1 < filters) b = f32x4.replace_lane(b, 1, load<f32>(bias + (<usize>(f + 1) << 2)));
      if (f + 2 < filters) b = f32x4.replace_lane(b, 2, load<f32>(bias + (<usize>(f + 2) << 2)));
      result = f32x4.add(result, b);
    }
  }
  storeLanes(out + (<usize>f << 2), result, filters - f);
}

/**
 * Dense: output rows `a`, each reading `k` contiguous inputs from `x + m·rowStride` (m = 0..count−1),
 * times `packed [k][fPad]`. Blocks of 4 rows × 12 filters.
 */
function denseRows(x: usize, rowStride: usize, count: i32, k: i32, packed: usize, fPad: i32, filters: i32, bias: usize, out: usize, outStride: usize): void {
  const wStride = <usize>fPad << 2;
  let m = 0;
  for (; m + 4 <= count; m += 4) {
    const x0 = x + <usize>m * rowStride;
    const x1 = x0 + rowStride;
    const x2 = x1 + rowStride;
    const x3 = x2 + rowStride;
    const o0 = out + <usize>m * outStride;
    let f = 0;
    for (; f + 12 <= fPad; f += 12) {
      let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a02 = f32x4.splat(0);
      let a10 = f32x4.splat(0), a11 = f32x4.splat(0), a12 = f32x4.splat(0);
      let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a22 = f32x4.splat(0);
      let a30 = f32x4.splat(0), a31 = f32x4.splat(0), a32 = f32x4.splat(0);
      let w = packed + (<usize>f << 2);
      for (let i = 0; i < k; i++) {
        const off = <usize>i << 2;
        const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32);
        const s0 = f32x4.splat(load<f32>(x0 + off));
        a00 = f32x4.add(a00, f32x4.mul(w0, s0)); a01 = f32x4.add(a01, f32x4.mul(w1, s0)); a02 = f32x4.add(a02, f32x4.mul(w2, s0));
        const s1 = f32x4.splat(load<f32>(x1 + off));
        a10 = f32x4.add(a10, f32x4.mul(w0, s1)); a11 = f32x4.add(a11, f32x4.mul(w1, s1)); a12 = f32x4.add(a12, f32x4.mul(w2, s1));
        const s2 = f32x4.splat(load<f32>(x2 + off));
        a20 = f32x4.add(a20, f32x4.mul(w0, s2)); a21 = f32x4.add(a21, f32x4.mul(w1, s2)); a22 = f32x4.add(a22, f32x4.mul(w2, s2));
        const s3 = f32x4.splat(load<f32>(x3 + off));
        a30 = f32x4.add(a30, f32x4.mul(w0, s3)); a31 = f32x4.add(a31, f32x4.mul(w1, s3)); a32 = f32x4.add(a32, f32x4.mul(w2, s3));
        w += wStride;
      }
      finish(a00, o0, bias, f, filters); finish(a01, o0, bias, f + 4, filters); finish(a02, o0, bias, f + 8, filters);
      const o1 = o0 + outStride;
      finish(a10, o1, bias, f, filters); finish(a11, o1, bias, f + 4, filters); finish(a12, o1, bias, f + 8, filters);
      const o2 = o1 + outStride;
      finish(a20, o2, bias, f, filters); finish(a21, o2, bias, f + 4, filters); finish(a22, o2, bias, f + 8, filters);
      const o3 = o2 + outStride;
      finish(a30, o3, bias, f, filters); finish(a31, o3, bias, f + 4, filters); finish(a32, o3, bias, f + 8, filters);
    }
    for (; f < fPad; f += 4) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let w = packed + (<usize>f << 2);
      for (let i = 0; i < k; i++) {
        const off = <usize>i << 2;
        const w0 = v128.load(w);
        a0 = f32x4.add(a0, f32x4.mul(w0, f32x4.splat(load<f32>(x0 + off))));
        a1 = f32x4.add(a1, f32x4.mul(w0, f32x4.splat(load<f32>(x1 + off))));
        a2 = f32x4.add(a2, f32x4.mul(w0, f32x4.splat(load<f32>(x2 + off))));
        a3 = f32x4.add(a3, f32x4.mul(w0, f32x4.splat(load<f32>(x3 + off))));
        w += wStride;
      }
      finish(a0, o0, bias, f, filters);
      finish(a1, o0 + outStride, bias, f, filters);
      finish(a2, o0 + 2 * outStride, bias, f, filters);
      finish(a3, o0 + 3 * outStride, bias, f, filters);
    }
  }
  for (; m < count; m++) {
    const x0 = x + <usize>m * rowStride;
    const o0 = out + <usize>m * outStride;
    let f = 0;
    for (; f + 12 <= fPad; f += 12) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
      let w = packed + (<usize>f << 2);
      for (let i = 0; i < k; i++) {
        const s = f32x4.splat(load<f32>(x0 + (<usize>i << 2)));
        a0 = f32x4.add(a0, f32x4.mul(v128.load(w), s));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(w, 16), s));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(w, 32), s));
        w += wStride;
      }
      finish(a0, o0, bias, f, filters); finish(a1, o0, bias, f + 4, filters); finish(a2, o0, bias, f + 8, filters);
    }
    for (; f < fPad; f += 4) {
      let a0 = f32x4.splat(0);
      let w = packed + (<usize>f << 2);
      for (let i = 0; i < k; i++) {
        a0 = f32x4.add(a0, f32x4.mul(v128.load(w), f32x4.splat(load<f32>(x0 + (<usize>i << 2)))));
        w += wStride;
      }
      finish(a0, o0, bias, f, filters);
    }
  }
}

/**
 * Sparse (event-driven): one output row at token `j` sums, for i = 0..w−1, the events of token j + i.
 * Events of token t: `count[t]` indices `idx[t·inC + e]` with values `val[t·inC + e]`; when `binary`,
 * every value is 1 and the products are the weights themselves (exact). Blocks of 32 filters.
 */
function sparseRow(
  j: i32, w: i32, inC: i32, idx: usize, val: usize, counts: usize, binary: bool,
  packed: usize, fPad: i32, filters: i32, bias: usize, out: usize,
): void {
  const kStride = <usize>inC * (<usize>fPad << 2);
  // Blocks of 5 vectors (20 filters): V8 loads a block's weights into registers before adding, and
  // 5 accumulators + 5 loads fit the 15 vector registers it allocates, larger blocks spill.
  let f = 0;
  for (; f + 20 <= fPad; f += 20) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0), a4 = f32x4.splat(0);
    for (let i = 0; i < w; i++) {
      const t = j + i;
      const n = load<i32>(counts + (<usize>t << 2));
      const base = packed + <usize>i * kStride + (<usize>f << 2);
      let ti = idx + ((<usize>t * <usize>inC) << 2);
      const last = ti + (<usize>n << 2);
      if (binary) {
        // Two events per turn (half the loop's overhead), added in order.
        for (; ti + 8 <= last; ti += 8) {
          const p = base + <usize>load<i32>(ti);
          const q = base + <usize>load<i32>(ti, 4);
          a0 = f32x4.add(f32x4.add(a0, v128.load(p)), v128.load(q));
          a1 = f32x4.add(f32x4.add(a1, v128.load(p, 16)), v128.load(q, 16));
          a2 = f32x4.add(f32x4.add(a2, v128.load(p, 32)), v128.load(q, 32));
          a3 = f32x4.add(f32x4.add(a3, v128.load(p, 48)), v128.load(q, 48));
          a4 = f32x4.add(f32x4.add(a4, v128.load(p, 64)), v128.load(q, 64));
        }
        if (ti < last) {
          const p = base + <usize>load<i32>(ti);
          a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
          a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
          a4 = f32x4.add(a4, v128.load(p, 64));
        }
      } else {
        let tv = val + ((<usize>t * <usize>inC) << 2);
        for (; ti < last; ti += 4) {
          const p = base + <usize>load<i32>(ti);
          const s = f32x4.splat(load<f32>(tv));
          a0 = f32x4.add(a0, f32x4.mul(v128.load(p), s)); a1 = f32x4.add(a1, f32x4.mul(v128.load(p, 16), s));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(p, 32), s)); a3 = f32x4.add(a3, f32x4.mul(v128.load(p, 48), s));
          a4 = f32x4.add(a4, f32x4.mul(v128.load(p, 64), s));
          tv += 4;
        }
      }
    }
    finish(a0, out, bias, f, filters); finish(a1, out, bias, f + 4, filters);
    finish(a2, out, bias, f + 8, filters); finish(a3, out, bias, f + 12, filters);
    finish(a4, out, bias, f + 16, filters);
  }
  // The last 1–4 vectors as one block of 4 (lanes past fPad read the next weights and are never stored).
  if (f < fPad) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    for (let i = 0; i < w; i++) {
      const t = j + i;
      const n = load<i32>(counts + (<usize>t << 2));
      const base = packed + <usize>i * kStride + (<usize>f << 2);
      let ti = idx + ((<usize>t * <usize>inC) << 2);
      const last = ti + (<usize>n << 2);
      if (binary) {
        for (; ti < last; ti += 4) {
          const p = base + <usize>load<i32>(ti);
          a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
          a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
        }
      } else {
        let tv = val + ((<usize>t * <usize>inC) << 2);
        for (; ti < last; ti += 4) {
          const p = base + <usize>load<i32>(ti);
          const s = f32x4.splat(load<f32>(tv));
          a0 = f32x4.add(a0, f32x4.mul(v128.load(p), s)); a1 = f32x4.add(a1, f32x4.mul(v128.load(p, 16), s));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(p, 32), s)); a3 = f32x4.add(a3, f32x4.mul(v128.load(p, 48), s));
          tv += 4;
        }
      }
    }
    finish(a0, out, bias, f, filters);
    if (f + 4 < filters) finish(a1, out, bias, f + 4, filters);
    if (f + 8 < filters) finish(a2, out, bias, f + 8, filters);
    if (f + 12 < filters) finish(a3, out, bias, f + 12, filters);
  }
}

/** Zeros `count` floats at `p`. */
function zero(p: usize, count: i32): void {
  memory.fill(p, 0, <usize>count << 2);
}

/**
 * Rows [rowStart, rowEnd) of the convolution. `mode`: 0 dense, 1 sparse (event lists built per row),
 * 2 chooses per row: sparse when at most `spikeFraction` (inputs all 0 or 1) or `analogFraction` (other
 * values) of the row's valid inputs are nonzero.
 * Returns the number of nonzero inputs seen by the sparse path (for statistics).
 */
export function conv(
  input: usize, rowStart: i32, rowEnd: i32, batch: i32, tokens: i32, inC: i32, lengths: usize,
  branches: i32, widths: usize, filters: i32, packed: usize, bias: usize,
  output: usize, positions: i32, mode: i32, spikeFraction: f32, analogFraction: f32, scratch: usize,
): i32 {
  const fPad = (filters + 3) & ~3;
  const channels = branches * filters;
  const rowIn = <usize>tokens * <usize>inC;
  const rowOut = <usize>positions * <usize>channels;
  const idx = scratch;
  const val = scratch + ((<usize>tokens * <usize>inC) << 2);
  const counts = val + ((<usize>tokens * <usize>inC) << 2);
  let events = 0;
  for (let r = rowStart; r < rowEnd; r++) {
    let length = <i32>load<u32>(lengths + (<usize>(r % batch) << 2));
    if (length > tokens) length = tokens;
    const x = input + ((<usize>r * rowIn) << 2);
    const out = output + ((<usize>r * rowOut) << 2);
    let sparse = mode == 1;
    let binary = true;
    if (mode != 0) {
      // Event lists of the valid tokens: nonzero inputs in increasing order.
      let nonzero = 0;
      for (let t = 0; t < length; t++) {
        const xt = x + ((<usize>t * <usize>inC) << 2);
        const ti = idx + ((<usize>t * <usize>inC) << 2);
        const tv = val + ((<usize>t * <usize>inC) << 2);
        let n = 0;
        for (let d = 0; d < inC; d++) {
          const value = load<f32>(xt + (<usize>d << 2));
          if (value != 0) {
            store<i32>(ti + (<usize>n << 2), d * (fPad << 2));
            store<f32>(tv + (<usize>n << 2), value);
            if (value != 1) binary = false;
            n++;
          }
        }
        store<i32>(counts + (<usize>t << 2), n);
        nonzero += n;
      }
      if (mode == 2) sparse = <f32>nonzero <= (binary ? spikeFraction : analogFraction) * <f32>(length * inC);
      if (sparse) events += nonzero;
    }
    let packedBranch = packed;
    for (let b = 0; b < branches; b++) {
      const w = load<i32>(widths + (<usize>b << 2));
      let valid = length - w + 1;
      if (valid < 0) valid = 0;
      if (valid > positions) valid = positions;
      const outBranch = out + ((<usize>(b * filters)) << 2);
      const biasBranch: usize = bias == 0 ? 0 : bias + ((<usize>(b * filters)) << 2);
      if (sparse) {
        for (let j = 0; j < valid; j++) {
          sparseRow(j, w, inC, idx, val, counts, binary, packedBranch, fPad, filters, biasBranch, outBranch + ((<usize>j * <usize>channels) << 2));
        }
      } else {
        denseRows(x, <usize>inC << 2, valid, w * inC, packedBranch, fPad, filters, biasBranch, outBranch, <usize>channels << 2);
      }
      for (let j = valid; j < positions; j++) zero(outBranch + ((<usize>j * <usize>channels) << 2), filters);
      packedBranch += (<usize>w * <usize>inC * <usize>fPad) << 2;
    }
  }
  return events;
}

/**
 * Packs weights `[filters][w][inC]` of each branch into `[w][inC][fPad]` (transposed, padded with 0).
 */
export function packConv(weights: usize, branches: i32, widths: usize, filters: i32, inC: i32, packed: usize): void {
  const fPad = (filters + 3) & ~3;
  let src = weights;
  let dst = packed;
  for (let b = 0; b < branches; b++) {
    const w = load<i32>(widths + (<usize>b << 2));
    const k = w * inC;
    memory.fill(dst, 0, (<usize>k * <usize>fPad) << 2);
    for (let f = 0; f < filters; f++) {
      for (let i = 0; i < k; i++) {
        store<f32>(dst + ((<usize>i * <usize>fPad + <usize>f) << 2), load<f32>(src + ((<usize>f * <usize>k + <usize>i) << 2)));
      }
    }
    src += (<usize>filters * <usize>k) << 2;
    dst += (<usize>k * <usize>fPad) << 2;
  }
}

// ---------------------------------------------------------------------------------------------
// Rate and direct encoding (src/reference/encode.ts): output [numSteps][batch][tokens][dim].
// ---------------------------------------------------------------------------------------------

@inline function hash4(x: v128): v128 {
  let v = v128.xor(x, i32x4.shr_u(x, 16));
  v = i32x4.mul(v, i32x4.splat(0x7feb352d));
  v = v128.xor(v, i32x4.shr_u(v, 15));
  v = i32x4.mul(v, i32x4.splat(<i32>0x846ca68b));
  return v128.xor(v, i32x4.shr_u(v, 16));
}

@inline function hash1(x: u32): u32 {
  let v = x;
  v ^= v >> 16;
  v *= 0x7feb352d;
  v ^= v >> 15;
  v *= 0x846ca68b;
  v ^= v >> 16;
  return v;
}

/**
 * Samples [batchStart, batchEnd). `kind` 0 rate, 1 direct; `firstStepOnly` 1: steps after 0 are 0.
 * tokenIds [batch][tokens] i32 (−1 silent), probabilities [vocab][dim], streamIds [batch] u32.
 * Returns 0, or 1 + the index of the first token outside the vocabulary.
 */
export function encode(
  kind: i32, seed: u32, numSteps: i32, batch: i32, tokens: i32, dim: i32, positionOffset: i32,
  tokenIds: usize, probabilities: usize, vocab: i32, streamIds: usize, firstStepOnly: i32,
  output: usize, batchStart: i32, batchEnd: i32,
): i32 {
  const perStep = <usize>batch * <usize>tokens * <usize>dim;
  const hSeed = hash1(seed);
  const scale = f32x4.splat(1.0 / 16777216.0);
  const lanes = i32x4(0, 1, 2, 3);
  for (let b = batchStart; b < batchEnd; b++) {
    const hSample = hash1(hSeed ^ load<u32>(streamIds + (<usize>b << 2)));
    for (let j = 0; j < tokens; j++) {
      const token = load<i32>(tokenIds + ((<usize>b * <usize>tokens + <usize>j) << 2));
      if (token >= vocab) return 1 + b * tokens + j;
      const hPosition = hash1(hSample ^ <u32>(positionOffset + j));
      const element = (<usize>b * <usize>tokens + <usize>j) * <usize>dim;
      const prob = probabilities + ((<usize>token * <usize>dim) << 2);
      const steps = firstStepOnly != 0 ? 1 : numSteps;
      for (let t = 0; t < numSteps; t++) {
        const out = output + ((<usize>t * perStep + element) << 2);
        if (t >= steps || token < 0) {
          memory.fill(out, 0, <usize>dim << 2);
          continue;
        }
        let d = 0;
        if (kind == 1) {
          memory.copy(out, prob, <usize>dim << 2);
          continue;
        }
        const ht = i32x4.splat(t);
        for (; d + 4 <= dim; d += 4) {
          const hChannel = hash4(v128.xor(i32x4.splat(hPosition), i32x4.add(i32x4.splat(d), lanes)));
          const h = hash4(v128.xor(hChannel, ht));
          const u = f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(h, 8)), scale);
          const p = v128.load(prob + (<usize>d << 2));
          v128.store(out + (<usize>d << 2), v128.and(f32x4.lt(u, p), f32x4.splat(1)));
        }
        for (; d < dim; d++) {
          const h = hash1(hash1(hPosition ^ <u32>d) ^ <u32>t);
          const u = <f32>(h >> 8) * (1.0 / 16777216.0);
          store<f32>(out + (<usize>d << 2), u < load<f32>(prob + (<usize>d << 2)) ? 1 : 0);
        }
      }
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The neuron step over all steps (src/reference/neuron.ts), 4 neurons per vector, t inner.
// x [numSteps][neurons] (or [neurons] when xBroadcast), spikes and membrane [numSteps][neurons],
// v and count [neurons] (updated), thresholds and betas [1] or [channels] (channel = i % channels).
// leaky: h = β·v + x, else h = v + x. fire: 0 threshold, 1 bipolar. reset: 0 soft, 1 hard, 2 none.
// ---------------------------------------------------------------------------------------------

@inline function perChannel(values: usize, count: i32, channels: i32, i: i32): v128 {
  if (count == 1) return f32x4.splat(load<f32>(values));
  let r = f32x4.splat(load<f32>(values + (<usize>(i % channels) << 2)));
  r = f32x4.replace_lane(r, 1, load<f32>(values + (<usize>((i + 1) % channels) << 2)));
  r = f32x4.replace_lane(r, 2, load<f32>(values + (<usize>((i + 2) % channels) << 2)));
  r = f32x4.replace_lane(r, 3, load<f32>(values + (<usize>((i + 3) % channels) << 2)));
  return r;
}

export function neuron(
  x: usize, xBroadcast: i32, numSteps: i32, neurons: i32, v: usize, count: usize,
  thresholds: usize, thresholdCount: i32, betas: usize, betaCount: i32, channels: i32,
  leaky: i32, fire: i32, reset: i32, vReset: f32, levels: f32,
  spikes: usize, membrane: usize, start: i32, end: i32,
): void {
  const stride = <usize>neurons << 2;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  const maxCount = f32x4.splat(levels - 1);
  const resetValue = f32x4.splat(vReset);
  // Whole vectors only while all four lanes are in range; the tail runs lane by lane below.
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const theta = perChannel(thresholds, thresholdCount, channels, i);
    const beta = perChannel(betas, betaCount, channels, i);
    const offset = <usize>i << 2;
    let potential = v128.load(v + offset);
    let spikeCount = v128.load(count + offset);
    let xp = x + offset;
    let sp = spikes + offset;
    let mp = membrane + offset;
    for (let t = 0; t < numSteps; t++) {
      const current = v128.load(xp);
      const h = leaky != 0 ? f32x4.add(f32x4.mul(beta, potential), current) : f32x4.add(potential, current);
      if (membrane != 0) {
        v128.store(mp, h);
        mp += stride;
      }
      let s: v128;
      if (fire == 1) {
        const up = v128.and(f32x4.ge(h, theta), f32x4.lt(spikeCount, maxCount));
        const down = v128.andnot(v128.and(f32x4.lt(h, zero), f32x4.gt(spikeCount, zero)), up);
        s = v128.or(v128.and(up, one), v128.and(down, f32x4.splat(-1)));
        potential = v128.bitselect(h, f32x4.sub(h, f32x4.mul(s, theta)), v128.not(v128.or(up, down)));
        spikeCount = f32x4.add(spikeCount, s);
      } else {
        const fired = f32x4.ge(h, theta);
        s = v128.and(fired, one);
        if (reset == 0) potential = v128.bitselect(f32x4.sub(h, theta), h, fired);
        else if (reset == 1) potential = v128.bitselect(resetValue, h, fired);
        else potential = h;
      }
      v128.store(sp, s);
      sp += stride;
      if (xBroadcast == 0) xp += stride;
    }
    v128.store(v + offset, potential);
    v128.store(count + offset, spikeCount);
  }
  for (; i < end; i++) {
    const theta = load<f32>(thresholds + (thresholdCount == 1 ? 0 : <usize>(i % channels) << 2));
    const beta = load<f32>(betas + (betaCount == 1 ? 0 : <usize>(i % channels) << 2));
    const offset = <usize>i << 2;
    let potential = load<f32>(v + offset);
    let spikeCount = load<f32>(count + offset);
    for (let t = 0; t < numSteps; t++) {
      const at = <usize>t * stride + offset;
      const current = load<f32>(x + (xBroadcast != 0 ? offset : at));
      const h = leaky != 0 ? beta * potential + current : potential + current;
      if (membrane != 0) store<f32>(membrane + at, h);
      let s: f32 = 0;
      if (fire == 1) {
        if (h >= theta && spikeCount < levels - 1) s = 1;
        else if (h < 0 && spikeCount > 0) s = -1;
        potential = s == 0 ? h : h - s * theta;
        spikeCount += s;
      } else {
        s = h >= theta ? 1 : 0;
        if (reset == 0) potential = s != 0 ? h - theta : h;
        else if (reset == 1) potential = s != 0 ? vReset : h;
        else potential = h;
      }
      store<f32>(spikes + at, s);
    }
    store<f32>(v + offset, potential);
    store<f32>(count + offset, spikeCount);
  }
}

// ---------------------------------------------------------------------------------------------
// Pooling (src/reference/pool.ts): sum over the leading valid positions of each row and channel.
// input [rows][positions][channels], validPositions [batch][channels] u32, output [rows][channels].
// ---------------------------------------------------------------------------------------------

export function poolSum(
  input: usize, rows: i32, batch: i32, positions: i32, channels: i32, validPositions: usize,
  output: usize, accumulate: i32, rowStart: i32, rowEnd: i32,
): void {
  const rowStride = <usize>channels << 2;
  const limit = i32x4.splat(positions);
  for (let r = rowStart; r < rowEnd; r++) {
    const valid = validPositions + ((<usize>(r % batch) * <usize>channels) << 2);
    const inRow = input + ((<usize>r * <usize>positions * <usize>channels) << 2);
    const out = output + ((<usize>r * <usize>channels) << 2);
    let c = 0;
    for (; c + 4 <= channels; c += 4) {
      const counts = i32x4.min_u(v128.load(valid + (<usize>c << 2)), limit);
      let acc = accumulate != 0 ? v128.load(out + (<usize>c << 2)) : f32x4.splat(0);
      let p = inRow + (<usize>c << 2);
      for (let j = 0; j < positions; j++) {
        // Lanes past their channel's valid positions keep their sum (no addition at all).
        acc = v128.bitselect(f32x4.add(acc, v128.load(p)), acc, i32x4.gt_s(counts, i32x4.splat(j)));
        p += rowStride;
      }
      v128.store(out + (<usize>c << 2), acc);
    }
    for (; c < channels; c++) {
      let n = <i32>load<u32>(valid + (<usize>c << 2));
      if (n > positions) n = positions;
      let acc: f32 = accumulate != 0 ? load<f32>(out + (<usize>c << 2)) : 0;
      for (let j = 0; j < n; j++) acc += load<f32>(inRow + ((<usize>j * <usize>channels + <usize>c) << 2));
      store<f32>(out + (<usize>c << 2), acc);
    }
  }
}

/** Average pooling's scale (src/reference/pool.ts): values[r][c] ·= scale[r % batch][c], rows [start, end). */
export function scaleRows(values: usize, scale: usize, batch: i32, channels: i32, start: i32, end: i32): void {
  for (let r = start; r < end; r++) {
    const row = values + ((<usize>r * <usize>channels) << 2);
    const factors = scale + ((<usize>(r % batch) * <usize>channels) << 2);
    let c = 0;
    for (; c + 4 <= channels; c += 4) {
      const at = <usize>c << 2;
      v128.store(row + at, f32x4.mul(v128.load(row + at), v128.load(factors + at)));
    }
    for (; c < channels; c++) {
      const at = <usize>c << 2;
      store<f32>(row + at, load<f32>(row + at) * load<f32>(factors + at));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Sums over time and groups (src/reference/reduce.ts): out[o] = Σ_t Σ_k f(in[t][o·groupSize + k]),
// t outer, k inner, f = |s| when `absolute`; outputs [start, end).
// ---------------------------------------------------------------------------------------------

export function sumGroups(input: usize, numSteps: i32, outputs: i32, groupSize: i32, absolute: i32, output: usize, start: i32, end: i32): void {
  const perStep = <usize>outputs * <usize>groupSize;
  for (let o = start; o < end; o++) {
    // Spikes are small integers: then any order of the sums is exact, and four lanes add at once.
    // The lanes also check that every value is a whole number and that the total stays below
    // 2^24; otherwise the output is summed again one value at a time, in the reference's order.
    let acc = f32x4.splat(0);
    let magnitude = f32x4.splat(0);
    let fraction = f32x4.splat(0);
    let tail: f32 = 0;
    let tailMagnitude: f32 = 0;
    let tailFraction = false;
    for (let t = 0; t < numSteps; t++) {
      const first = input + ((<usize>t * perStep + <usize>o * <usize>groupSize) << 2);
      let k = 0;
      for (; k + 4 <= groupSize; k += 4) {
        const v = v128.load(first + (<usize>k << 2));
        const m = f32x4.abs(v);
        acc = f32x4.add(acc, absolute != 0 ? m : v);
        magnitude = f32x4.add(magnitude, m);
        fraction = v128.or(fraction, f32x4.ne(v, f32x4.floor(v)));
      }
      for (; k < groupSize; k++) {
        const v = load<f32>(first + (<usize>k << 2));
        tail += absolute != 0 ? abs<f32>(v) : v;
        tailMagnitude += abs<f32>(v);
        tailFraction = tailFraction || v != floor<f32>(v);
      }
    }
    const total = f32x4.extract_lane(magnitude, 0) + f32x4.extract_lane(magnitude, 1) + f32x4.extract_lane(magnitude, 2) + f32x4.extract_lane(magnitude, 3) + tailMagnitude;
    let sum: f32;
    if (!v128.any_true(fraction) && !tailFraction && total < 16777216) {
      sum = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3) + tail;
    } else {
      sum = 0;
      for (let t = 0; t < numSteps; t++) {
        const first = input + ((<usize>t * perStep + <usize>o * <usize>groupSize) << 2);
        if (absolute != 0) for (let k = 0; k < groupSize; k++) sum += abs<f32>(load<f32>(first + (<usize>k << 2)));
        else for (let k = 0; k < groupSize; k++) sum += load<f32>(first + (<usize>k << 2));
      }
    }
    store<f32>(output + (<usize>o << 2), sum);
  }
}

// ---------------------------------------------------------------------------------------------
// ANN activations (src/reference/activation.ts): kind 0 relu, 1 identity, 2 quant (step, levels).
// ---------------------------------------------------------------------------------------------

export function activation(input: usize, output: usize, kind: i32, step: f32, levels: f32, start: i32, end: i32): void {
  const zero = f32x4.splat(0);
  const half = f32x4.splat(0.5);
  const top = f32x4.splat(levels - 1);
  const s = f32x4.splat(step);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const p = <usize>i << 2;
    const x = v128.load(input + p);
    let y: v128;
    if (kind == 0) y = v128.and(x, f32x4.gt(x, zero));
    else if (kind == 1) y = x;
    else y = f32x4.mul(s, f32x4.min(f32x4.max(f32x4.floor(f32x4.add(f32x4.div(x, s), half)), zero), top));
    v128.store(output + p, y);
  }
  for (; i < end; i++) {
    const p = <usize>i << 2;
    const x = load<f32>(input + p);
    let y: f32;
    if (kind == 0) y = x > 0 ? x : 0;
    else if (kind == 1) y = x;
    else y = step * min<f32>(max<f32>(floor<f32>(x / step + 0.5), 0), levels - 1);
    store<f32>(output + p, y);
  }
}

// ---------------------------------------------------------------------------------------------
// Weight gradient of the convolution (src/reference/conv-train.ts), float32 sums:
// dW[k][f][i][d] = Σ_b Σ_{q < valid_k(b)} dZ[b][q][k·F + f] · X[b][q + i][d]
// Row f of branch k is contiguous over n = i·D + d (n < w·D), and so is the input window of (b, q):
// blocks of 4 filters × 8 columns. Filters [fStart, fEnd) of branch `k` (width w, at `weightOffset`).
// ---------------------------------------------------------------------------------------------

export function convWeightGrad(
  input: usize, gradOutput: usize, lengths: usize, batch: i32, tokens: i32, inC: i32,
  positions: i32, channels: i32, channelOffset: i32, w: i32, grad: usize, fStart: i32, fEnd: i32,
): void {
  const n = w * inC;
  const rowIn = <usize>inC << 2;
  const fBlocks = fStart + ((fEnd - fStart) & ~3);
  const cBlocks = n & ~7;
  // Samples in chunks of about 64 rows, so that a chunk's inputs and gradients stay in cache while
  // every block of the weight gradient passes over them; a block's sums continue from one chunk to
  // the next (through memory), in the same order.
  const chunk = max<i32>(1, 64 / max<i32>(1, positions));
  for (let bStart = 0; bStart < batch; bStart += chunk) {
    const bEnd = min<i32>(batch, bStart + chunk);
    for (let f = fStart; f < fBlocks; f += 4) {
      const out0 = grad + ((<usize>f * <usize>n) << 2);
      const out1 = out0 + (<usize>n << 2);
      const out2 = out1 + (<usize>n << 2);
      const out3 = out2 + (<usize>n << 2);
      for (let c = 0; c < cBlocks; c += 8) {
        const o = <usize>c << 2;
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), b0 = f32x4.splat(0), b1 = f32x4.splat(0);
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0), d0 = f32x4.splat(0), d1 = f32x4.splat(0);
        if (bStart > 0) {
          a0 = v128.load(out0 + o); a1 = v128.load(out0 + o, 16);
          b0 = v128.load(out1 + o); b1 = v128.load(out1 + o, 16);
          c0 = v128.load(out2 + o); c1 = v128.load(out2 + o, 16);
          d0 = v128.load(out3 + o); d1 = v128.load(out3 + o, 16);
        }
        for (let b = bStart; b < bEnd; b++) {
          let valid = min<i32>(<i32>load<u32>(lengths + (<usize>b << 2)), tokens) - w + 1;
          if (valid > positions) valid = positions;
          let x = input + ((<usize>b * <usize>tokens * <usize>inC + <usize>c) << 2);
          let dz = gradOutput + ((<usize>b * <usize>positions * <usize>channels + <usize>(channelOffset + f)) << 2);
          for (let q = 0; q < valid; q++) {
            const x0 = v128.load(x), x1 = v128.load(x, 16);
            const g0 = f32x4.splat(load<f32>(dz)), g1 = f32x4.splat(load<f32>(dz, 4));
            a0 = f32x4.add(a0, f32x4.mul(g0, x0)); a1 = f32x4.add(a1, f32x4.mul(g0, x1));
            b0 = f32x4.add(b0, f32x4.mul(g1, x0)); b1 = f32x4.add(b1, f32x4.mul(g1, x1));
            const g2 = f32x4.splat(load<f32>(dz, 8)), g3 = f32x4.splat(load<f32>(dz, 12));
            c0 = f32x4.add(c0, f32x4.mul(g2, x0)); c1 = f32x4.add(c1, f32x4.mul(g2, x1));
            d0 = f32x4.add(d0, f32x4.mul(g3, x0)); d1 = f32x4.add(d1, f32x4.mul(g3, x1));
            x += rowIn;
            dz += <usize>channels << 2;
          }
        }
        v128.store(out0 + o, a0); v128.store(out0 + o, a1, 16);
        v128.store(out1 + o, b0); v128.store(out1 + o, b1, 16);
        v128.store(out2 + o, c0); v128.store(out2 + o, c1, 16);
        v128.store(out3 + o, d0); v128.store(out3 + o, d1, 16);
      }
    }
  }
  // Columns past the blocks of 8, and filters past the blocks of 4, one value at a time.
  for (let f = fStart; f < fEnd; f++) {
    for (let c = f < fBlocks ? cBlocks : 0; c < n; c++) {
      store<f32>(grad + ((<usize>f * <usize>n + <usize>c) << 2), convWeightGradOne(input, gradOutput, lengths, batch, tokens, inC, positions, channels, channelOffset + f, w, c));
    }
  }
}

function convWeightGradOne(input: usize, gradOutput: usize, lengths: usize, batch: i32, tokens: i32, inC: i32, positions: i32, channels: i32, channel: i32, w: i32, c: i32): f32 {
  let acc: f32 = 0;
  for (let b = 0; b < batch; b++) {
    let valid = min<i32>(<i32>load<u32>(lengths + (<usize>b << 2)), tokens) - w + 1;
    if (valid > positions) valid = positions;
    for (let q = 0; q < valid; q++) {
      acc += load<f32>(gradOutput + ((<usize>(b * positions + q) * <usize>channels + <usize>channel) << 2)) * load<f32>(input + ((<usize>(b * tokens + q) * <usize>inC + <usize>c) << 2));
    }
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------
// BPTT through the neuron step (src/reference/neuron-backward.ts), 4 neurons per vector, t from the
// last step down. surrogate 0: fast sigmoid 1 / (1 + k·|u|)², 1: piecewise linear 0.3·max(0, 1 − |u/θ|)
// (its 0.3· is a float64 product rounded to float32, as the reference's). `learns`: gradients of β
// and θ per neuron, from the forward's spikes.
// ---------------------------------------------------------------------------------------------

@inline function surrogate4(u: v128, theta: v128, kind: i32, slope: v128): v128 {
  if (kind == 0) {
    const d = f32x4.add(f32x4.splat(1), f32x4.mul(slope, f32x4.abs(u)));
    return f32x4.div(f32x4.splat(1), f32x4.mul(d, d));
  }
  const r = f32x4.max(f32x4.splat(0), f32x4.sub(f32x4.splat(1), f32x4.abs(f32x4.div(u, theta))));
  const point3 = f64x2.splat(0.3);
  const low = f32x4.demote_f64x2_zero(f64x2.mul(point3, f64x2.promote_low_f32x4(r)));
  const high = f32x4.demote_f64x2_zero(f64x2.mul(point3, f64x2.promote_low_f32x4(i32x4.shuffle(r, r, 2, 3, 0, 1))));
  return i32x4.shuffle(low, high, 0, 1, 4, 5);
}

export function neuronBackward(
  membrane: usize, gradSpikes: usize, spikes: usize, numSteps: i32, neurons: i32,
  thresholds: usize, thresholdCount: i32, betas: usize, betaCount: i32, channels: i32,
  leaky: i32, surrogate: i32, slope: f32, resetPath: i32, soft: i32, learns: i32, initFraction: f32,
  gradInput: usize, gradBeta: usize, gradThreshold: usize, start: i32, end: i32,
): void {
  const stride = <usize>neurons << 2;
  const k = f32x4.splat(slope);
  const one = f32x4.splat(1);
  const init = f32x4.splat(initFraction);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const theta = perChannel(thresholds, thresholdCount, channels, i);
    const beta = perChannel(betas, betaCount, channels, i);
    const leak = leaky != 0 ? beta : one;
    const offset = <usize>i << 2;
    let carry = f32x4.splat(0);
    let gb = f32x4.splat(0);
    let gt = f32x4.splat(0);
    for (let t = numSteps - 1; t >= 0; t--) {
      const at = <usize>t * stride + offset;
      const h = v128.load(membrane + at);
      const g = v128.load(gradSpikes + at);
      const sigma = surrogate4(f32x4.sub(h, theta), theta, surrogate, k);
      const thetaSigma = f32x4.mul(theta, sigma);
      const resetFactor = resetPath != 0 ? f32x4.sub(one, thetaSigma) : one;
      const gradH = f32x4.add(f32x4.mul(g, sigma), f32x4.mul(carry, resetFactor));
      v128.store(gradInput + at, gradH);
      if (learns != 0) {
        let previous: v128;
        if (t == 0) previous = f32x4.mul(init, theta);
        else if (soft != 0) previous = f32x4.sub(v128.load(membrane + at - stride), f32x4.mul(theta, v128.load(spikes + at - stride)));
        else previous = v128.load(membrane + at - stride);
        if (leaky != 0) gb = f32x4.add(gb, f32x4.mul(gradH, previous));
        const s = v128.load(spikes + at);
        const dvdTheta = soft == 0 ? f32x4.splat(0) : resetPath != 0 ? f32x4.sub(thetaSigma, s) : f32x4.neg(s);
        gt = f32x4.add(gt, f32x4.add(f32x4.mul(f32x4.neg(g), sigma), f32x4.mul(carry, dvdTheta)));
      }
      carry = f32x4.mul(leak, gradH);
    }
    if (learns != 0) {
      v128.store(gradBeta + offset, gb);
      v128.store(gradThreshold + offset, f32x4.add(gt, f32x4.mul(carry, init)));
    }
  }
  for (; i < end; i++) {
    const theta = load<f32>(thresholds + (thresholdCount == 1 ? 0 : <usize>(i % channels) << 2));
    const beta = load<f32>(betas + (betaCount == 1 ? 0 : <usize>(i % channels) << 2));
    const leak: f32 = leaky != 0 ? beta : 1;
    const offset = <usize>i << 2;
    let carry: f32 = 0;
    let gb: f32 = 0;
    let gt: f32 = 0;
    for (let t = numSteps - 1; t >= 0; t--) {
      const at = <usize>t * stride + offset;
      const h = load<f32>(membrane + at);
      const g = load<f32>(gradSpikes + at);
      const u = h - theta;
      let sigma: f32;
      if (surrogate == 0) {
        const d: f32 = 1 + slope * abs<f32>(u);
        sigma = 1 / (d * d);
      } else sigma = <f32>(<f64>0.3 * <f64>max<f32>(0, 1 - abs<f32>(u / theta)));
      const resetFactor: f32 = resetPath != 0 ? 1 - theta * sigma : 1;
      const gradH = g * sigma + carry * resetFactor;
      store<f32>(gradInput + at, gradH);
      if (learns != 0) {
        let previous: f32;
        if (t == 0) previous = initFraction * theta;
        else if (soft != 0) previous = load<f32>(membrane + at - stride) - theta * load<f32>(spikes + at - stride);
        else previous = load<f32>(membrane + at - stride);
        if (leaky != 0) gb += gradH * previous;
        const s = load<f32>(spikes + at);
        const dvdTheta: f32 = soft == 0 ? 0 : resetPath != 0 ? theta * sigma - s : -s;
        gt += -g * sigma + carry * dvdTheta;
      }
      carry = leak * gradH;
    }
    if (learns != 0) {
      store<f32>(gradBeta + offset, gb);
      store<f32>(gradThreshold + offset, gt + carry * initFraction);
    }
  }
}
