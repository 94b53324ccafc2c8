// One AdamW step in place, one thread per parameter, then a projection onto [low, high].
// Twin: src/reference/adamw.ts, where the equations are written out (same order of operations).
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  count: u32,
  learning_rate: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  weight_decay: f32,
  c1: f32,  // 1 - beta1^t
  c2: f32,  // 1 - beta2^t
  low: f32,
  high: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> first_moment: array<f32>;
@group(0) @binding(4) var<storage, read_write> second_moment: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = linear_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  let g = grad[i];
  let m = params.beta1 * first_moment[i] + (1.0 - params.beta1) * g;
  let v = params.beta2 * second_moment[i] + (1.0 - params.beta2) * (g * g);
  first_moment[i] = m;
  second_moment[i] = v;
  let update = (m / params.c1) / (sqrt(v / params.c2) + params.epsilon);
  let p = param[i] - params.learning_rate * (update + params.weight_decay * param[i]);
  param[i] = clamp(p, params.low, params.high);
}
