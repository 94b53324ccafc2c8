// A NIR Delay node: y(t) = x(t − d) per element, from a ring of `depth` values per element.
// Twin: the delay case of src/nir/reference.ts.
#include "indexing.wgsl"
#include "nir_clock.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  count: u32,
  depth: u32,
  src_mode: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> delay_steps: array<u32>;
@group(0) @binding(3) var<storage, read_write> ring: array<f32>;
@group(0) @binding(4) var<storage, read> src: array<f32>;
@group(0) @binding(5) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = linear_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let t = clock[1];
  ring[i * params.depth + t % params.depth] = src[nir_offset(params.src_mode, params.count) + i];
  let d = delay_steps[i];
  var y = 0.0;
  if (t >= d) {
    y = ring[i * params.depth + (t - d) % params.depth];
  }
  dst[nir_offset(HALF_THIS_STEP, params.count) + i] = y;
}
