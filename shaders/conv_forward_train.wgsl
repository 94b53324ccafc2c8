// Convolution over token positions for training, register-blocked: one thread computes 4 positions
// x 4 filters of one branch and one sample, with no barriers (fast on SwiftShader as on GPUs).
// Twin: src/reference/conv-train.ts, where the equations are written out.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  batch: u32,
  tokens: u32,
  positions: u32,
  in_channels: u32,
  filters: u32,
  branches: u32,
  position_blocks: u32,
  filter_blocks: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;        // [batch][tokens][D]
@group(0) @binding(2) var<storage, read> weights: array<f32>;      // [branch][F][width][D]
@group(0) @binding(3) var<storage, read> branch_info: array<u32>;  // [branch][3]: width, weight offset, unused
@group(0) @binding(4) var<storage, read> lengths: array<u32>;      // [batch]
@group(0) @binding(5) var<storage, read_write> output: array<f32>; // [batch][positions][branches * F]

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = linear_index(gid, groups, WORKGROUP_SIZE);
  if (index >= params.batch * params.position_blocks * params.branches * params.filter_blocks) {
    return;
  }
  let fb = index % params.filter_blocks;
  var rest = index / params.filter_blocks;
  let k = rest % params.branches;
  rest = rest / params.branches;
  let qb = rest % params.position_blocks;
  let b = rest / params.position_blocks;
  let width = branch_info[3u * k];
  let offset = branch_info[3u * k + 1u];
  let D = params.in_channels;
  let F = params.filters;
  let valid = u32(max(0, min(i32(params.positions), i32(lengths[b]) - i32(width) + 1)));
  let q0 = qb * 4u;
  let f0 = fb * 4u;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  if (q0 < valid) {
    let last_token = params.tokens - 1u;
    for (var tap = 0u; tap < width; tap++) {
      let x0 = (b * params.tokens + min(q0 + tap, last_token)) * D;
      let x1 = (b * params.tokens + min(q0 + 1u + tap, last_token)) * D;
      let x2 = (b * params.tokens + min(q0 + 2u + tap, last_token)) * D;
      let x3 = (b * params.tokens + min(q0 + 3u + tap, last_token)) * D;
      let w0 = offset + (min(f0, F - 1u) * width + tap) * D;
      let w1 = offset + (min(f0 + 1u, F - 1u) * width + tap) * D;
      let w2 = offset + (min(f0 + 2u, F - 1u) * width + tap) * D;
      let w3 = offset + (min(f0 + 3u, F - 1u) * width + tap) * D;
      for (var d = 0u; d < D; d++) {
        let w = vec4f(weights[w0 + d], weights[w1 + d], weights[w2 + d], weights[w3 + d]);
        acc0 += input[x0 + d] * w;
        acc1 += input[x1 + d] * w;
        acc2 += input[x2 + d] * w;
        acc3 += input[x3 + d] * w;
      }
    }
  }
  let C = params.branches * F;
  var acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var u = 0u; u < 4u; u++) {
    let q = q0 + u;
    if (q >= params.positions) {
      break;
    }
    let row = (b * params.positions + q) * C + k * F;
    for (var v = 0u; v < 4u; v++) {
      if (f0 + v < F) {
        output[row + f0 + v] = select(0.0, acc[u][v], q < valid);
      }
    }
  }
}
