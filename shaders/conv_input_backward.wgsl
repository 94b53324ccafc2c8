// Input gradient of the convolution over positions (for a learned embedding): one thread owns 4 token
// positions x 4 input channels of one sample and loops over branches, taps and filters.
// Twin: src/reference/conv-train.ts.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  batch: u32,
  tokens: u32,
  positions: u32,
  in_channels: u32,
  filters: u32,
  branches: u32,
  token_blocks: u32,
  channel_blocks: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;      // [branch][F][width][D]
@group(0) @binding(2) var<storage, read> grad_output: array<f32>;  // [batch][positions][branches * F]
@group(0) @binding(3) var<storage, read> branch_info: array<u32>;  // [branch][3]: width, weight offset, unused
@group(0) @binding(4) var<storage, read> lengths: array<u32>;      // [batch]
@group(0) @binding(5) var<storage, read_write> grad_input: array<f32>; // [batch][tokens][D]

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = linear_index(gid, groups, WORKGROUP_SIZE);
  if (index >= params.batch * params.token_blocks * params.channel_blocks) {
    return;
  }
  let db = index % params.channel_blocks;
  let rest = index / params.channel_blocks;
  let jb = rest % params.token_blocks;
  let b = rest / params.token_blocks;
  let D = params.in_channels;
  let F = params.filters;
  let C = params.branches * F;
  let j0 = jb * 4u;
  let d0 = db * 4u;
  let dc = vec4u(min(d0, D - 1u), min(d0 + 1u, D - 1u), min(d0 + 2u, D - 1u), min(d0 + 3u, D - 1u));
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k = 0u; k < params.branches; k++) {
    let width = branch_info[3u * k];
    let offset = branch_info[3u * k + 1u];
    let valid = max(0, min(i32(params.positions), i32(lengths[b]) - i32(width) + 1));
    for (var tap = 0u; tap < width; tap++) {
      let q = vec4i(i32(j0) - i32(tap)) + vec4i(0, 1, 2, 3);
      let ok = (q >= vec4i(0)) & (q < vec4i(valid));
      let qc = vec4u(clamp(q, vec4i(0), vec4i(max(valid - 1, 0))));
      let z = (vec4u(b * params.positions) + qc) * C + vec4u(k * F);
      for (var f = 0u; f < F; f++) {
        let wr = offset + (f * width + tap) * D;
        let w = vec4f(weights[wr + dc.x], weights[wr + dc.y], weights[wr + dc.z], weights[wr + dc.w]);
        let dz = select(vec4f(0.0), vec4f(grad_output[z.x + f], grad_output[z.y + f], grad_output[z.z + f], grad_output[z.w + f]), ok);
        acc0 += dz.x * w;
        acc1 += dz.y * w;
        acc2 += dz.z * w;
        acc3 += dz.w * w;
      }
    }
  }
  var acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var u = 0u; u < 4u; u++) {
    let j = j0 + u;
    if (j >= params.tokens) {
      break;
    }
    for (var v = 0u; v < 4u; v++) {
      if (d0 + v < D) {
        grad_input[(b * params.tokens + j) * D + d0 + v] = acc[u][v];
      }
    }
  }
}
