// Pooling over positions, one thread per (row, channel) of a range of rows. Twin: src/reference/pool.ts.
// POOL_OPERATION 0 (sum): acc = (accumulate ? output : 0); for j < valid: acc = acc + x[r][j][c]; output = acc.
// POOL_OPERATION 1 (scale rows): values[r][c] = values[r][c] * scale[r % batch][c].
// The two operations share this file and its bindings; each reads only the fields it needs.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
override POOL_OPERATION: u32 = 0u;

struct Params {
  row_start: u32,
  row_count: u32,
  batch: u32,       // sample of row r = r % batch
  positions: u32,
  channels: u32,
  accumulate: u32,  // sum: 1 adds onto the existing output
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// sum: input [rows][positions][channels]; scale rows: scale [batch][channels].
@group(0) @binding(1) var<storage, read> source: array<f32>;
// sum: validPositions [batch][channels] (leading positions that count); scale rows: unused.
@group(0) @binding(2) var<storage, read> valid_positions: array<u32>;
// sum: output [rows][channels]; scale rows: values [rows][channels], scaled in place.
@group(0) @binding(3) var<storage, read_write> destination: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = linear_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.row_count * params.channels) {
    return;
  }
  let channel = i % params.channels;
  let row = params.row_start + i / params.channels;
  let sample_channel = (row % params.batch) * params.channels + channel;
  let index = row * params.channels + channel;
  if (POOL_OPERATION == 1u) {
    destination[index] = destination[index] * source[sample_channel];
    return;
  }
  let valid = min(valid_positions[sample_channel], params.positions);
  var acc = 0.0;
  if (params.accumulate == 1u) {
    acc = destination[index];
  }
  let first = row * params.positions * params.channels + channel;
  for (var j = 0u; j < valid; j++) {
    acc = acc + source[first + j * params.channels];
  }
  destination[index] = acc;
}
