// Token encoder over a range of time steps: one thread per (sample, token, component) reads its
// firing probability once and writes it out for every step (direct) or draws a Bernoulli spike per
// step (rate). Twin: src/reference/encode.ts.
#include "rng.wgsl"
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
// 0 = rate (Bernoulli spikes), 1 = direct (p as a constant current).
override ENCODING_KIND: u32 = 0u;

struct Params {
  seed: u32,
  batch: u32,
  tokens: u32,
  dim: u32,
  t_start: u32,
  t_count: u32,
  position_offset: u32,
  first_step_only: u32,  // 1: input at step 0 only (0 afterwards)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> token_ids: array<i32>;        // [batch][tokens], -1 = silent
@group(0) @binding(2) var<storage, read> probabilities: array<f32>;    // [vocab][dim]
@group(0) @binding(3) var<storage, read> stream_ids: array<u32>;       // [batch]
@group(0) @binding(4) var<storage, read_write> output: array<f32>;     // [T][batch][tokens][dim]

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = linear_index(gid, groups, WORKGROUP_SIZE);
  let per_step = params.batch * params.tokens * params.dim;
  if (i >= per_step) {
    return;
  }
  let component = i % params.dim;
  let token_slot = i / params.dim;            // b * tokens + j
  let position = token_slot % params.tokens;
  let sample = token_slot / params.tokens;
  let token = token_ids[token_slot];
  var p = 0.0;
  if (token >= 0) {
    p = probabilities[u32(token) * params.dim + component];
  }
  let stream = stream_ids[sample];
  for (var t = params.t_start; t < params.t_start + params.t_count; t++) {
    var value = p;
    if (ENCODING_KIND == 0u) {
      // rate: s = 1 if uniform(key(seed, stream, positionOffset + j, d, t)) < p else 0
      let u = rng_uniform(rng_key(params.seed, stream, params.position_offset + position, component, t));
      value = select(0.0, 1.0, u < p);
    }
    if (params.first_step_only == 1u && t > 0u) {
      value = 0.0;
    }
    output[t * per_step + i] = value;
  }
}
