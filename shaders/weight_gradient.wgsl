// The weight gradient of a fully connected layer with many rows, out[o][i] = Σ_r b[r][o] · a[r][i]
// (a = x, b = dy), for feature counts that are multiples of 4: each thread a 4 × 4 block of outputs,
// two vector loads per 16 multiply-adds (on SwiftShader a load costs about ten multiply-adds).
// Rows are summed in ascending order, as shaders/linear_train.wgsl (mode 1) sums them.
// Twin: linearWeightBackwardReference in src/reference/linear-train.ts.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  rows: u32,
  in_groups: u32,   // in_features / 4
  out_groups: u32,  // out_features / 4
  _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;         // x [rows][in_features]
@group(0) @binding(2) var<storage, read> b: array<vec4f>;         // dy [rows][out_features]
@group(0) @binding(3) var<storage, read_write> out: array<vec4f>; // dW [out_features][in_features]

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = linear_index(gid, groups, WORKGROUP_SIZE);
  if (index >= params.out_groups * params.in_groups) {
    return;
  }
  let og = index / params.in_groups;
  let ig = index % params.in_groups;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var r = 0u; r < params.rows; r++) {
    let x = a[r * params.in_groups + ig];
    let dy = b[r * params.out_groups + og];
    acc0 += dy.x * x;
    acc1 += dy.y * x;
    acc2 += dy.z * x;
    acc3 += dy.w * x;
  }
  let row = 4u * og * params.in_groups + ig;
  out[row] = acc0;
  out[row + params.in_groups] = acc1;
  out[row + 2u * params.in_groups] = acc2;
  out[row + 3u * params.in_groups] = acc3;
}
