// Softmax cross-entropy, one thread per sample: loss, correctness of the argmax (ties to the lowest
// class) and the gradient of the logits times grad_scale. Twin: src/reference/cross-entropy.ts.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  batch: u32,
  classes: u32,
  grad_scale: f32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;           // [batch][classes]
@group(0) @binding(2) var<storage, read> labels: array<i32>;           // [batch]
@group(0) @binding(3) var<storage, read_write> grad_logits: array<f32>; // [batch][classes]
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;       // [batch][2]: loss, correct

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let b = linear_index(gid, groups, WORKGROUP_SIZE);
  if (b >= params.batch) {
    return;
  }
  let K = params.classes;
  let label = u32(labels[b]);
  var best = 0u;
  var top = logits[b * K];
  for (var k = 1u; k < K; k++) {
    if (logits[b * K + k] > top) {
      top = logits[b * K + k];
      best = k;
    }
  }
  var sum = 0.0;
  for (var k = 0u; k < K; k++) {
    sum += exp(logits[b * K + k] - top);
  }
  stats[2u * b] = log(sum) - (logits[b * K + label] - top);
  stats[2u * b + 1u] = select(0.0, 1.0, best == label);
  for (var k = 0u; k < K; k++) {
    let p = exp(logits[b * K + k] - top) / sum;
    grad_logits[b * K + k] = (p - select(0.0, 1.0, k == label)) * params.grad_scale;
  }
}
