// Weight gradient of the convolution over positions: one thread owns 4 filters x 4 input channels of
// one tap of one branch and loops over every (sample, valid position); no atomics, no barriers, so
// the sum is deterministic. Twin: src/reference/conv-train.ts.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  batch: u32,
  tokens: u32,
  positions: u32,
  in_channels: u32,
  filters: u32,
  branches: u32,
  filter_blocks: u32,
  channel_blocks: u32,
  threads: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;        // [batch][tokens][D]
@group(0) @binding(2) var<storage, read> grad_output: array<f32>;  // [batch][positions][branches * F]
@group(0) @binding(3) var<storage, read> branch_info: array<u32>;  // [branch][3]: width, weight offset, first thread
@group(0) @binding(4) var<storage, read> lengths: array<u32>;      // [batch]
@group(0) @binding(5) var<storage, read_write> grad_weights: array<f32>; // [branch][F][width][D]

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = linear_index(gid, groups, WORKGROUP_SIZE);
  if (index >= params.threads) {
    return;
  }
  var k = 0u;
  for (var branch = 1u; branch < params.branches; branch++) {
    if (index >= branch_info[3u * branch + 2u]) {
      k = branch;
    }
  }
  let width = branch_info[3u * k];
  let offset = branch_info[3u * k + 1u];
  let local = index - branch_info[3u * k + 2u];
  let db = local % params.channel_blocks;
  let rest = local / params.channel_blocks;
  let tap = rest % width;
  let fb = rest / width;
  let D = params.in_channels;
  let F = params.filters;
  let C = params.branches * F;
  let f0 = fb * 4u;
  let d0 = db * 4u;
  let fc = vec4u(min(f0, F - 1u), min(f0 + 1u, F - 1u), min(f0 + 2u, F - 1u), min(f0 + 3u, F - 1u)) + vec4u(k * F);
  let dc = vec4u(min(d0, D - 1u), min(d0 + 1u, D - 1u), min(d0 + 2u, D - 1u), min(d0 + 3u, D - 1u));
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var b = 0u; b < params.batch; b++) {
    let valid = u32(max(0, min(i32(params.positions), i32(lengths[b]) - i32(width) + 1)));
    for (var q = 0u; q < valid; q++) {
      let z = (b * params.positions + q) * C;
      let dz = vec4f(grad_output[z + fc.x], grad_output[z + fc.y], grad_output[z + fc.z], grad_output[z + fc.w]);
      let xr = (b * params.tokens + q + tap) * D;
      let x = vec4f(input[xr + dc.x], input[xr + dc.y], input[xr + dc.z], input[xr + dc.w]);
      acc0 += dz.x * x;
      acc1 += dz.y * x;
      acc2 += dz.z * x;
      acc3 += dz.w * x;
    }
  }
  var acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var v = 0u; v < 4u; v++) {
    let f = f0 + v;
    if (f >= F) {
      break;
    }
    let row = offset + (f * width + tap) * D;
    for (var u = 0u; u < 4u; u++) {
      if (d0 + u < D) {
        grad_weights[row + d0 + u] = acc[v][u];
      }
    }
  }
}
