// The LSTM over the positions of each sequence, backward through time (architecture §2.6): the
// gradient of the gates' inputs a (= of z) from the gradient of h. One workgroup per sequence,
// last position first; da of the position lives in workgroup memory for δh = Uᵀ·da, with two
// barriers per position; δc stays with its unit. Positions past the length get 0.
// Twin: src/reference/lstm.ts (lstmBackwardReference), where the equations are.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
override CAPACITY: u32 = 256u;

struct Params {
  sequences: u32,
  positions: u32,
  hidden: u32,
  batch: u32,       // entries of lengths: sequence s runs lengths[s % batch] positions
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> gates: array<f32>;         // [seq][P][4H] i, f, g, o
@group(0) @binding(2) var<storage, read> cells: array<f32>;         // [seq][P][H]
@group(0) @binding(3) var<storage, read> recurrent: array<f32>;     // U [4H][H]
@group(0) @binding(4) var<storage, read> lengths: array<u32>;       // [seq]
@group(0) @binding(5) var<storage, read> grad_output: array<f32>;   // dh [seq][P][H]
@group(0) @binding(6) var<storage, read_write> grad_gates: array<f32>;  // da [seq][P][4H]

var<workgroup> da: array<f32, 4u * CAPACITY>;
var<workgroup> dh_next: array<f32, CAPACITY>;
var<workgroup> dc_next: array<f32, CAPACITY>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) workgroup: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let s = linear_index(workgroup, groups, 1u);
  if (s >= params.sequences) {
    return;
  }
  let H = params.hidden;
  let P = params.positions;
  let running = min(P, lengths[s % params.batch]);
  for (var j = lid; j < H; j += WORKGROUP_SIZE) {
    dh_next[j] = 0.0;
    dc_next[j] = 0.0;
    for (var p = running; p < P; p++) {
      for (var q = 0u; q < 4u; q++) {
        grad_gates[(s * P + p) * 4u * H + q * H + j] = 0.0;
      }
    }
  }
  workgroupBarrier();
  for (var step = 0u; step < running; step++) {
    let p = running - 1u - step;
    let row = s * P + p;
    for (var j = lid; j < H; j += WORKGROUP_SIZE) {
      let i = gates[row * 4u * H + j];
      let f = gates[row * 4u * H + H + j];
      let g = gates[row * 4u * H + 2u * H + j];
      let o = gates[row * 4u * H + 3u * H + j];
      let c = cells[row * H + j];
      var c_before = 0.0;
      if (p > 0u) {
        c_before = cells[(row - 1u) * H + j];
      }
      let tc = tanh(c);
      let dh = grad_output[row * H + j] + dh_next[j];
      let dc = dh * o * (1.0 - tc * tc) + dc_next[j];
      let d_i = dc * g * (i * (1.0 - i));
      let d_f = dc * c_before * (f * (1.0 - f));
      let d_g = dc * i * (1.0 - g * g);
      let d_o = dh * tc * (o * (1.0 - o));
      grad_gates[row * 4u * H + j] = d_i;
      grad_gates[row * 4u * H + H + j] = d_f;
      grad_gates[row * 4u * H + 2u * H + j] = d_g;
      grad_gates[row * 4u * H + 3u * H + j] = d_o;
      da[j] = d_i;
      da[H + j] = d_f;
      da[2u * H + j] = d_g;
      da[3u * H + j] = d_o;
      dc_next[j] = dc * f;
    }
    workgroupBarrier();
    // δh[k] = Σ_r U[r][k] · da[r], r ascending.
    for (var k = lid; k < H; k += WORKGROUP_SIZE) {
      var sum = 0.0;
      for (var r = 0u; r < 4u * H; r++) {
        sum = sum + recurrent[r * H + k] * da[r];
      }
      dh_next[k] = sum;
    }
    workgroupBarrier();
  }
}
