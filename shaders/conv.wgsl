// Convolution over token positions at inference, one branch (one width) per dispatch.
// Twin: src/reference/conv.ts, where the equation and the summation order are written out.
//
// A "window" is one output position of one row: the `width` tokens starting at position j of row r.
// The windows a dispatch computes are numbered m = (r - row_start) * computed_positions + j, so that
// a block of windows runs on across rows. Each thread computes a register block of 16 consecutive
// windows x 20 consecutive filters: every weight it loads serves 16 windows and every input value 20
// filters. No workgroup memory and no barriers: on SwiftShader (compute on the CPU) a load costs
// about ten multiply-adds and a barrier far more, so the block is sized to cut loads (measured:
// 16 x 20 about a fifth faster than 8 x 20 and over twice as fast as 4 x 4). Spike inputs are not
// skipped with a branch: measured on SwiftShader, the branch cost more than the multiply-adds it saved.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

const WINDOWS_PER_THREAD: u32 = 16u;
const FILTERS_PER_THREAD: u32 = 20u;

struct Params {
  row_start: u32,
  row_count: u32,
  batch: u32,
  tokens: u32,
  in_channels: u32,
  filters: u32,
  positions: u32,          // output positions per row (those of the narrowest branch)
  channels: u32,           // branches * filters
  width: u32,              // this branch's width
  computed_positions: u32, // positions per row this dispatch computes; later ones are only zeroed
  weight_offset: u32,      // start of this branch's [filters][width][in_channels] weights
  channel_offset: u32,     // branch * filters
  filter_blocks: u32,      // ceil(filters / FILTERS_PER_THREAD)
  has_bias: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;        // [rows][tokens][in_channels]
@group(0) @binding(2) var<storage, read> weights: array<f32>;      // branches concatenated
@group(0) @binding(3) var<storage, read> bias: array<f32>;         // [channels], read when has_bias == 1
@group(0) @binding(4) var<storage, read> lengths: array<u32>;      // [batch] valid tokens per sample
@group(0) @binding(5) var<storage, read_write> output: array<f32>; // [rows][positions][channels]

// One value per filter of a thread's 20 filters, four to a vector.
struct FilterValues {
  a: vec4f,
  b: vec4f,
  c: vec4f,
  d: vec4f,
  e: vec4f,
}

// Where the weight row of each of a thread's 20 filters starts.
struct FilterRows {
  a: vec4u,
  b: vec4u,
  c: vec4u,
  d: vec4u,
  e: vec4u,
}

fn window_count() -> u32 {
  return params.row_count * params.computed_positions;
}

fn window_row(window: u32) -> u32 {
  return params.row_start + window / params.computed_positions;
}

fn window_position(window: u32) -> u32 {
  return window % params.computed_positions;
}

// A window is computed iff it exists and lies within its sample's valid tokens; otherwise its output is 0.
fn window_is_valid(window: u32) -> bool {
  if (window >= window_count()) {
    return false;
  }
  let row = window_row(window);
  let length = min(lengths[row % params.batch], params.tokens);
  return window_position(window) + params.width <= length;
}

// Index of the first input value of a window (windows past the end read the last one's, unused).
fn window_input_start(window: u32) -> u32 {
  let existing = min(window, window_count() - 1u);
  return (window_row(existing) * params.tokens + window_position(existing)) * params.in_channels;
}

fn filter_rows(first_filter: u32, span: u32) -> FilterRows {
  let last = vec4u(params.filters - 1u);
  let lanes = vec4u(first_filter) + vec4u(0u, 1u, 2u, 3u);
  return FilterRows(
    params.weight_offset + min(lanes, last) * span,
    params.weight_offset + min(lanes + 4u, last) * span,
    params.weight_offset + min(lanes + 8u, last) * span,
    params.weight_offset + min(lanes + 12u, last) * span,
    params.weight_offset + min(lanes + 16u, last) * span,
  );
}

fn weights4(rows: vec4u, k: u32) -> vec4f {
  return vec4f(weights[rows.x + k], weights[rows.y + k], weights[rows.z + k], weights[rows.w + k]);
}

fn filter_weights(rows: FilterRows, k: u32) -> FilterValues {
  return FilterValues(weights4(rows.a, k), weights4(rows.b, k), weights4(rows.c, k), weights4(rows.d, k), weights4(rows.e, k));
}

// sum = sum + w * x for each filter: the reference's order, one tap of the dot product.
fn accumulate(sums: FilterValues, w: FilterValues, x: f32) -> FilterValues {
  return FilterValues(sums.a + w.a * x, sums.b + w.b * x, sums.c + w.c * x, sums.d + w.d * x, sums.e + w.e * x);
}

// Running sums of four consecutive windows (one FilterValues each).
struct FourWindows {
  w0: FilterValues,
  w1: FilterValues,
  w2: FilterValues,
  w3: FilterValues,
}

fn input_starts(first: u32) -> vec4u {
  return vec4u(window_input_start(first), window_input_start(first + 1u), window_input_start(first + 2u), window_input_start(first + 3u));
}

fn any_window_valid(first: u32) -> bool {
  return window_is_valid(first) || window_is_valid(first + 1u) || window_is_valid(first + 2u) || window_is_valid(first + 3u);
}

// One tap k of the dot products of four windows: inputs at `starts + k`, weights `w`.
fn accumulate4(sums: FourWindows, w: FilterValues, starts: vec4u, k: u32) -> FourWindows {
  return FourWindows(
    accumulate(sums.w0, w, input[starts.x + k]),
    accumulate(sums.w1, w, input[starts.y + k]),
    accumulate(sums.w2, w, input[starts.z + k]),
    accumulate(sums.w3, w, input[starts.w + k]),
  );
}

// Writes the block's sums of one window (plus bias; 0 when masked), and zeroes the positions past the
// computed ones when this is the last computed position of its row.
fn store_window(sums: FilterValues, window: u32, first_filter: u32) {
  if (window >= window_count()) {
    return;
  }
  let row = window_row(window);
  let position = window_position(window);
  let valid = window_is_valid(window);
  let last_computed = position + 1u == params.computed_positions;
  let values = array<vec4f, 5>(sums.a, sums.b, sums.c, sums.d, sums.e);
  for (var i = 0u; i < FILTERS_PER_THREAD; i++) {
    let f = first_filter + i;
    if (f >= params.filters) {
      break;
    }
    let channel = params.channel_offset + f;
    var value = 0.0;
    if (valid) {
      value = values[i / 4u][i % 4u];
      if (params.has_bias == 1u) {
        value = value + bias[channel];
      }
    }
    output[(row * params.positions + position) * params.channels + channel] = value;
    if (last_computed) {
      for (var later = position + 1u; later < params.positions; later++) {
        output[(row * params.positions + later) * params.channels + channel] = 0.0;
      }
    }
  }
}

fn store4(sums: FourWindows, first: u32, first_filter: u32) {
  store_window(sums.w0, first, first_filter);
  store_window(sums.w1, first + 1u, first_filter);
  store_window(sums.w2, first + 2u, first_filter);
  store_window(sums.w3, first + 3u, first_filter);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = linear_index(gid, groups, WORKGROUP_SIZE);
  let window_blocks = (window_count() + WINDOWS_PER_THREAD - 1u) / WINDOWS_PER_THREAD;
  if (index >= window_blocks * params.filter_blocks) {
    return;
  }
  let first_filter = (index % params.filter_blocks) * FILTERS_PER_THREAD;
  let first = (index / params.filter_blocks) * WINDOWS_PER_THREAD;
  let span = params.width * params.in_channels;
  let rows = filter_rows(first_filter, span);
  let starts_a = input_starts(first);
  let starts_b = input_starts(first + 4u);
  let starts_c = input_starts(first + 8u);
  let starts_d = input_starts(first + 12u);
  let zero = FilterValues(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  var sums_a = FourWindows(zero, zero, zero, zero);
  var sums_b = sums_a;
  var sums_c = sums_a;
  var sums_d = sums_a;
  if (any_window_valid(first) || any_window_valid(first + 4u) || any_window_valid(first + 8u) || any_window_valid(first + 12u)) {
    // k runs over (tap i, channel d) in the reference's order, k = i * in_channels + d; a window's
    // inputs for tap i start in_channels after those for tap i - 1, so both are contiguous in k.
    for (var k = 0u; k < span; k++) {
      let w = filter_weights(rows, k);
      sums_a = accumulate4(sums_a, w, starts_a, k);
      sums_b = accumulate4(sums_b, w, starts_b, k);
      sums_c = accumulate4(sums_c, w, starts_c, k);
      sums_d = accumulate4(sums_d, w, starts_d, k);
    }
  }
  store4(sums_a, first, first_filter);
  store4(sums_b, first + 4u, first_filter);
  store4(sums_c, first + 8u, first_filter);
  store4(sums_d, first + 12u, first_filter);
}
