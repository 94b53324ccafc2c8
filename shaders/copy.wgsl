// Copy of f32 values: the simplest memory-bound kernel, the yardstick of the bandwidth benchmark.
// Each thread copies `per_thread` values strided by the thread count, the access pattern of the
// neuron kernel (thread i touches i, i + n, i + 2n, ...), so the two are compared like for like.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  count: u32,
  threads: u32,
  per_thread: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let thread = linear_index(gid, groups, WORKGROUP_SIZE);
  if (thread >= params.threads) {
    return;
  }
  for (var k = 0u; k < params.per_thread; k++) {
    let i = thread + k * params.threads;
    if (i < params.count) {
      output[i] = input[i];
    }
  }
}
