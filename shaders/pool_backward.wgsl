// Gradient of pooling over positions: dx[b][q][c] = q < valid[b][c] ? dy[b][c] * scale[b][c] : 0.
// One thread per (b, q, c). Twin: src/reference/pool-train.ts.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  batch: u32,
  positions: u32,
  channels: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad_output: array<f32>;     // [batch][channels]
@group(0) @binding(2) var<storage, read> valid_positions: array<u32>; // [batch][channels]
@group(0) @binding(3) var<storage, read> scale: array<f32>;           // [batch][channels]
@group(0) @binding(4) var<storage, read_write> grad_input: array<f32>; // [batch][positions][channels]

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = linear_index(gid, groups, WORKGROUP_SIZE);
  if (index >= params.batch * params.positions * params.channels) {
    return;
  }
  let c = index % params.channels;
  let q = (index / params.channels) % params.positions;
  let b = index / (params.channels * params.positions);
  let sample_channel = b * params.channels + c;
  grad_input[index] = select(0.0, grad_output[sample_channel] * scale[sample_channel], q < valid_positions[sample_channel]);
}
