// The gradients of a fully connected layer for training (small layers: one thread per output value,
// looping over the reduction). Twin: src/reference/linear-train.ts. The forward pass is linear.wgsl.
// LINEAR_MODE 1: out[o][i] = Σ_r b[r][o]·a[r][i]                            a = x,  b = dy  (dW)
// LINEAR_MODE 2: out[r][i] = Σ_o a[r][o]·b[o][i]                            a = dy, b = W   (dx)
// LINEAR_MODE 3: out[o]    = Σ_r a[r][o]                                     a = dy          (dbias)
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
override LINEAR_MODE: u32 = 1u;

struct Params {
  rows: u32,
  in_features: u32,
  out_features: u32,
  _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = linear_index(gid, groups, WORKGROUP_SIZE);
  let I = params.in_features;
  let O = params.out_features;
  if (LINEAR_MODE == 1u) {
    if (index >= O * I) {
      return;
    }
    let o = index / I;
    let i = index % I;
    var acc = 0.0;
    for (var r = 0u; r < params.rows; r++) {
      acc += b[r * O + o] * a[r * I + i];
    }
    out[index] = acc;
  } else if (LINEAR_MODE == 2u) {
    if (index >= params.rows * I) {
      return;
    }
    let r = index / I;
    let i = index % I;
    var acc = 0.0;
    for (var o = 0u; o < O; o++) {
      acc += a[r * O + o] * b[o * I + i];
    }
    out[index] = acc;
  } else {
    if (index >= O) {
      return;
    }
    var acc = 0.0;
    for (var r = 0u; r < params.rows; r++) {
      acc += a[r * O + index];
    }
    out[index] = acc;
  }
}
