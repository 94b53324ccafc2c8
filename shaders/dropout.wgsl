// Inverted dropout with a stateless mask (forward and backward alike): element i is kept when
// uniform(hash(hash(hash(seed) ^ iteration) ^ i)) >= rate, and scaled by keep_scale = 1 / (1 - rate).
// Twin: src/reference/dropout.ts.
#include "rng.wgsl"
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  count: u32,
  seed: u32,
  iteration: u32,
  _pad: u32,
  rate: f32,
  keep_scale: f32,
  _pad1: u32,
  _pad2: u32,
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
  let u = rng_uniform(hash_u32(hash_u32(hash_u32(params.seed) ^ params.iteration) ^ i));
  output[i] = input[i] * select(0.0, params.keep_scale, u >= params.rate);
}
