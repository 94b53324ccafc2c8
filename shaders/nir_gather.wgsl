// dst = (accumulate ? dst : 0) + src, at offsets chosen by the modes of nir_clock.wgsl: a node's
// input from its edges (summed in edge order), the graph input's row, identities, recorded outputs.
// Twin: gather and the identity/input cases of src/nir/reference.ts.
#include "indexing.wgsl"
#include "nir_clock.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  count: u32,
  src_mode: u32,
  dst_mode: u32,
  accumulate: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = linear_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let x = src[nir_offset(params.src_mode, params.count) + i];
  let o = nir_offset(params.dst_mode, params.count) + i;
  if (params.accumulate == 1u) {
    dst[o] = dst[o] + x;
  } else {
    dst[o] = x;
  }
}
