// Places an input's channels into a wider output (concatenation), or adds them (sums of layers):
// one thread per (group, output position, input channel); positions past the input's are zeros.
// Twin: src/reference/place.ts.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
override ACCUMULATE: bool = false;

struct Params {
  groups: u32,
  positions_in: u32,
  channels_in: u32,
  positions_out: u32,
  channels_out: u32,
  channel_offset: u32,
  group_start: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = linear_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.groups * params.positions_out * params.channels_in) {
    return;
  }
  let c = i % params.channels_in;
  let p = (i / params.channels_in) % params.positions_out;
  let g = params.group_start + i / (params.channels_in * params.positions_out);
  var v = 0.0;
  if (p < params.positions_in) {
    v = input[(g * params.positions_in + p) * params.channels_in + c];
  }
  let index = (g * params.positions_out + p) * params.channels_out + params.channel_offset + c;
  if (ACCUMULATE) {
    output[index] = output[index] + v;
  } else {
    output[index] = v;
  }
}
