// Element-wise copy of f32 values: the simplest memory-bound kernel, the yardstick of the bandwidth
// benchmark (bytes moved per second that any other kernel can be compared with).
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = linear_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  output[i] = input[i];
}
