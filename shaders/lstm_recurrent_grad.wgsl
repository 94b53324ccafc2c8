// The gradient of the LSTM's recurrent weights (architecture §2.6): dU[r][k] = Σ_s Σ_p da[s][p][r] ·
// h[s][p − 1][k] over each sequence's running positions after the first, one thread per (r, k),
// summed in (s, p) order. Twin: lstmRecurrentGradReference in src/reference/lstm.ts.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  sequences: u32,
  positions: u32,
  hidden: u32,
  batch: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> output: array<f32>;       // h [seq][P][H]
@group(0) @binding(2) var<storage, read> grad_gates: array<f32>;   // da [seq][P][4H]
@group(0) @binding(3) var<storage, read> lengths: array<u32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;   // dU [4H][H]

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = linear_index(gid, groups, WORKGROUP_SIZE);
  let H = params.hidden;
  if (index >= 4u * H * H) {
    return;
  }
  let r = index / H;
  let k = index % H;
  let P = params.positions;
  var sum = 0.0;
  for (var s = 0u; s < params.sequences; s++) {
    let running = min(P, lengths[s % params.batch]);
    for (var p = 1u; p < running; p++) {
      sum = sum + grad_gates[(s * P + p) * 4u * H + r] * output[(s * P + p - 1u) * H + k];
    }
  }
  grad[index] = sum;
}
