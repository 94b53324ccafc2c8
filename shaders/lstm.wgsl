// The LSTM over the positions of each sequence, forward (architecture §2.6). One workgroup per
// sequence; its threads take the hidden units j, j + WORKGROUP_SIZE, …; h of the position before
// lives in workgroup memory, double-buffered, with one barrier per position; c stays with its unit.
// a = z + U·h_{p−1} (gate order i, f, g, o); c = f·c + i·g; h = o·tanh(c). Positions past the
// sequence's length give 0 and leave the state. Twin: src/reference/lstm.ts, where the equations are.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
// Largest hidden size this pipeline holds.
override CAPACITY: u32 = 256u;

struct Params {
  sequences: u32,
  positions: u32,
  hidden: u32,
  continues: u32,   // 1: start from the carry (the chunk before); 0: from zeros
  keep: u32,        // 1: write gates and cells (training)
  batch: u32,       // entries of lengths: sequence s runs lengths[s % batch] positions
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> z: array<f32>;                 // [seq][P][4H]
@group(0) @binding(2) var<storage, read> recurrent: array<f32>;         // U [4H][H]
@group(0) @binding(3) var<storage, read> lengths: array<u32>;           // [seq]
@group(0) @binding(4) var<storage, read_write> carry: array<f32>;       // [seq][2H]: h, then c
@group(0) @binding(5) var<storage, read_write> output: array<f32>;      // h [seq][P][H]
@group(0) @binding(6) var<storage, read_write> gates: array<f32>;       // [seq][P][4H] (keep)
@group(0) @binding(7) var<storage, read_write> cells: array<f32>;       // [seq][P][H] (keep)

var<workgroup> last: array<f32, 2u * CAPACITY>;
var<workgroup> cell: array<f32, CAPACITY>;

fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

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
  for (var j = lid; j < H; j += WORKGROUP_SIZE) {
    var h = 0.0;
    var c = 0.0;
    if (params.continues == 1u) {
      h = carry[s * 2u * H + j];
      c = carry[s * 2u * H + H + j];
    }
    last[j] = h;
    cell[j] = c;
  }
  workgroupBarrier();
  let running = min(P, lengths[s % params.batch]);
  for (var p = 0u; p < P; p++) {
    let read_half = (p % 2u) * CAPACITY;
    let write_half = CAPACITY - read_half;
    let row = s * P + p;
    for (var j = lid; j < H; j += WORKGROUP_SIZE) {
      if (p >= running) {
        output[row * H + j] = 0.0;
        if (params.keep == 1u) {
          for (var q = 0u; q < 4u; q++) {
            gates[row * 4u * H + q * H + j] = 0.0;
          }
          cells[row * H + j] = 0.0;
        }
        last[write_half + j] = last[read_half + j];
        continue;
      }
      // a[q] = z + Σ_k U[q·H + j][k] · h[k], k ascending.
      var a: array<f32, 4>;
      for (var q = 0u; q < 4u; q++) {
        var sum = 0.0;
        let base = (q * H + j) * H;
        for (var k = 0u; k < H; k++) {
          sum = sum + recurrent[base + k] * last[read_half + k];
        }
        a[q] = z[row * 4u * H + q * H + j] + sum;
      }
      let i = sigmoid(a[0]);
      let f = sigmoid(a[1]);
      let g = tanh(a[2]);
      let o = sigmoid(a[3]);
      let c = f * cell[j] + i * g;
      let h = o * tanh(c);
      if (params.keep == 1u) {
        gates[row * 4u * H + j] = i;
        gates[row * 4u * H + H + j] = f;
        gates[row * 4u * H + 2u * H + j] = g;
        gates[row * 4u * H + 3u * H + j] = o;
        cells[row * H + j] = c;
      }
      cell[j] = c;
      output[row * H + j] = h;
      last[write_half + j] = h;
    }
    workgroupBarrier();
  }
  let final_half = (P % 2u) * CAPACITY;
  for (var j = lid; j < H; j += WORKGROUP_SIZE) {
    carry[s * 2u * H + j] = last[final_half + j];
    carry[s * 2u * H + H + j] = cell[j];
  }
}
