// NIR Scale (y = x·s) and Threshold (y = x > θ) nodes, one thread per element.
// Twin: the scale and threshold cases of src/nir/reference.ts.
#include "indexing.wgsl"
#include "nir_clock.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
override OPERATION: u32 = 0u;  // 0 scale, 1 threshold

struct Params {
  count: u32,
  src_mode: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read> src: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = linear_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let x = src[nir_offset(params.src_mode, params.count) + i];
  var y: f32;
  if (OPERATION == 0u) {
    y = x * values[i];
  } else {
    y = select(0.0, 1.0, x > values[i]);
  }
  dst[nir_offset(HALF_THIS_STEP, params.count) + i] = y;
}
