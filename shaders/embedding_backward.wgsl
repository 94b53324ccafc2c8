// Gradient of an embedding lookup without atomics: occurrences grouped by row on the CPU, one thread
// per (row, component) sums its occurrences in order. Twin: src/reference/embedding-backward.ts.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  rows: u32,  // distinct rows in the batch
  dim: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> rows: array<u32>;         // [rows]
@group(0) @binding(2) var<storage, read> offsets: array<u32>;      // [rows + 1]
@group(0) @binding(3) var<storage, read> occurrences: array<u32>;  // token slots grouped by row
@group(0) @binding(4) var<storage, read> grad_input: array<f32>;   // [slots][dim]
@group(0) @binding(5) var<storage, read_write> grad_table: array<f32>; // [vocab][dim]

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = linear_index(gid, groups, WORKGROUP_SIZE);
  if (index >= params.rows * params.dim) {
    return;
  }
  let u = index / params.dim;
  let d = index % params.dim;
  var acc = 0.0;
  for (var o = offsets[u]; o < offsets[u + 1u]; o++) {
    acc = acc + grad_input[occurrences[o] * params.dim + d];
  }
  grad_table[rows[u] * params.dim + d] = acc;
}
