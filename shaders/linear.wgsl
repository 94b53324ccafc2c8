// Fully connected layer: output[r][o] = sum_i weights[o][i] * input[r][i] (+ bias[o]).
// Twin: src/reference/linear.ts, where the summation order is written out.
//
// Each thread computes a register block of 16 consecutive rows x 20 consecutive outputs: every weight
// it loads serves 16 rows and every input value 20 outputs. No workgroup memory and no barriers: on
// SwiftShader (compute on the CPU) a load costs about ten multiply-adds and a barrier far more, so the
// block is sized to cut loads (the same block as shaders/conv.wgsl, measured there).
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

const ROWS_PER_THREAD: u32 = 16u;
const OUTPUTS_PER_THREAD: u32 = 20u;

struct Params {
  row_start: u32,
  row_count: u32,
  in_features: u32,
  out_features: u32,
  output_blocks: u32, // ceil(out_features / OUTPUTS_PER_THREAD)
  has_bias: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;        // [rows][in_features]
@group(0) @binding(2) var<storage, read> weights: array<f32>;      // [out_features][in_features]
@group(0) @binding(3) var<storage, read> bias: array<f32>;         // [out_features], read when has_bias == 1
@group(0) @binding(4) var<storage, read_write> output: array<f32>; // [rows][out_features]

// One value per output of a thread's 20 outputs, four to a vector.
struct OutputValues {
  a: vec4f,
  b: vec4f,
  c: vec4f,
  d: vec4f,
  e: vec4f,
}

// Where the weight row of each of a thread's 20 outputs starts.
struct WeightRows {
  a: vec4u,
  b: vec4u,
  c: vec4u,
  d: vec4u,
  e: vec4u,
}

fn weight_rows(first_output: u32) -> WeightRows {
  let last = vec4u(params.out_features - 1u);
  let lanes = vec4u(first_output) + vec4u(0u, 1u, 2u, 3u);
  let span = params.in_features;
  return WeightRows(
    min(lanes, last) * span,
    min(lanes + 4u, last) * span,
    min(lanes + 8u, last) * span,
    min(lanes + 12u, last) * span,
    min(lanes + 16u, last) * span,
  );
}

fn weights4(rows: vec4u, i: u32) -> vec4f {
  return vec4f(weights[rows.x + i], weights[rows.y + i], weights[rows.z + i], weights[rows.w + i]);
}

fn output_weights(rows: WeightRows, i: u32) -> OutputValues {
  return OutputValues(weights4(rows.a, i), weights4(rows.b, i), weights4(rows.c, i), weights4(rows.d, i), weights4(rows.e, i));
}

// sum = sum + w * x for each output: the reference's order, one term of the dot product.
fn accumulate(sums: OutputValues, w: OutputValues, x: f32) -> OutputValues {
  return OutputValues(sums.a + w.a * x, sums.b + w.b * x, sums.c + w.c * x, sums.d + w.d * x, sums.e + w.e * x);
}

// Index of the first input value of block row `offset` (rows past the end read the last row, unused).
fn input_start(offset: u32) -> u32 {
  return (params.row_start + min(offset, params.row_count - 1u)) * params.in_features;
}

// Running sums of four consecutive rows (one OutputValues each).
struct FourRows {
  r0: OutputValues,
  r1: OutputValues,
  r2: OutputValues,
  r3: OutputValues,
}

fn input_starts(first: u32) -> vec4u {
  return vec4u(input_start(first), input_start(first + 1u), input_start(first + 2u), input_start(first + 3u));
}

// One term i of the dot products of four rows: inputs at `starts + i`, weights `w`.
fn accumulate4(sums: FourRows, w: OutputValues, starts: vec4u, i: u32) -> FourRows {
  return FourRows(
    accumulate(sums.r0, w, input[starts.x + i]),
    accumulate(sums.r1, w, input[starts.y + i]),
    accumulate(sums.r2, w, input[starts.z + i]),
    accumulate(sums.r3, w, input[starts.w + i]),
  );
}

// Writes the block's sums of one row, plus bias.
fn store_row(sums: OutputValues, offset: u32, first_output: u32) {
  if (offset >= params.row_count) {
    return;
  }
  let row = params.row_start + offset;
  let values = array<vec4f, 5>(sums.a, sums.b, sums.c, sums.d, sums.e);
  for (var i = 0u; i < OUTPUTS_PER_THREAD; i++) {
    let o = first_output + i;
    if (o >= params.out_features) {
      break;
    }
    var value = values[i / 4u][i % 4u];
    if (params.has_bias == 1u) {
      value = value + bias[o];
    }
    output[row * params.out_features + o] = value;
  }
}

fn store4(sums: FourRows, first: u32, first_output: u32) {
  store_row(sums.r0, first, first_output);
  store_row(sums.r1, first + 1u, first_output);
  store_row(sums.r2, first + 2u, first_output);
  store_row(sums.r3, first + 3u, first_output);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = linear_index(gid, groups, WORKGROUP_SIZE);
  let row_blocks = (params.row_count + ROWS_PER_THREAD - 1u) / ROWS_PER_THREAD;
  if (index >= row_blocks * params.output_blocks) {
    return;
  }
  let first_output = (index % params.output_blocks) * OUTPUTS_PER_THREAD;
  let first = (index / params.output_blocks) * ROWS_PER_THREAD;
  let rows = weight_rows(first_output);
  let starts_a = input_starts(first);
  let starts_b = input_starts(first + 4u);
  let starts_c = input_starts(first + 8u);
  let starts_d = input_starts(first + 12u);
  let zero = OutputValues(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
  var sums_a = FourRows(zero, zero, zero, zero);
  var sums_b = sums_a;
  var sums_c = sums_a;
  var sums_d = sums_a;
  for (var i = 0u; i < params.in_features; i++) {
    let w = output_weights(rows, i);
    sums_a = accumulate4(sums_a, w, starts_a, i);
    sums_b = accumulate4(sums_b, w, starts_b, i);
    sums_c = accumulate4(sums_c, w, starts_c, i);
    sums_d = accumulate4(sums_d, w, starts_d, i);
  }
  store4(sums_a, first, first_output);
  store4(sums_b, first + 4u, first_output);
  store4(sums_c, first + 8u, first_output);
  store4(sums_d, first + 12u, first_output);
}
