// y = W·x (+ b) of a NIR Affine or Linear node, one thread per row, summed in column order.
// Twin: affine in src/nir/reference.ts.
#include "indexing.wgsl"
#include "nir_clock.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  rows: u32,
  cols: u32,
  src_mode: u32,
  has_bias: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> src: array<f32>;
@group(0) @binding(5) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let r = linear_index(gid, groups, WORKGROUP_SIZE);
  if (r >= params.rows) {
    return;
  }
  let x0 = nir_offset(params.src_mode, params.cols);
  var acc = 0.0;
  for (var c = 0u; c < params.cols; c++) {
    acc = acc + weight[r * params.cols + c] * src[x0 + c];
  }
  if (params.has_bias == 1u) {
    acc = acc + bias[r];
  }
  dst[nir_offset(HALF_THIS_STEP, params.rows) + r] = acc;
}
