// The recurrent layer of a quantised RNN over tokens, forward, for training. A workgroup takes
// SAMPLES samples in lockstep, its threads groups of 4 hidden units: every load of U serves 4 units
// of 4 samples (on SwiftShader a load costs about ten multiply-adds). y of the position before lives
// in workgroup memory, double-buffered, with one barrier per position.
// u_p = z_p + U · y_{p-1};  y_p = act(u_p) (step read from a learned parameter);  previous_p = y_{p-1}.
// U is stored transposed, [j][h] = U[h][j]; hidden is a multiple of 4.
// Twin: src/reference/token-recurrent-train.ts, where the equations and the summation order are written out.
#include "activation_function.wgsl"
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 32u;
// Largest hidden size / 4 this pipeline holds.
override GROUP_CAPACITY: u32 = 32u;
const SAMPLES: u32 = 4u;

struct Params {
  batch: u32,
  positions: u32,
  hidden: u32,
  max_level: f32,       // quant: levels - 1
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> step: array<f32>;                  // [1] the quantiser's step s
@group(0) @binding(2) var<storage, read> input: array<vec4f>;               // z [batch][positions][hidden]
@group(0) @binding(3) var<storage, read> transposed_weights: array<vec4f>;  // Uᵀ [hidden][hidden]
@group(0) @binding(4) var<storage, read> lengths: array<u32>;               // [batch]
@group(0) @binding(5) var<storage, read_write> pre_activation: array<vec4f>;  // u
@group(0) @binding(6) var<storage, read_write> output: array<vec4f>;          // y
@group(0) @binding(7) var<storage, read_write> previous: array<vec4f>;        // y_{p-1} at row p

// [half][sample][group]: y of the position before, four units to a vector.
var<workgroup> last: array<vec4f, 2u * SAMPLES * GROUP_CAPACITY>;

fn activate(u: vec4f, s: f32) -> vec4f {
  return vec4f(
    apply_activation(u.x, s, params.max_level),
    apply_activation(u.y, s, params.max_level),
    apply_activation(u.z, s, params.max_level),
    apply_activation(u.w, s, params.max_level),
  );
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) workgroup: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let first = linear_index(workgroup, groups, 1u) * SAMPLES;
  if (first >= params.batch) {
    return;
  }
  let unit_groups = params.hidden / 4u;
  let s = step[0];
  for (var g = lid; g < unit_groups; g += WORKGROUP_SIZE) {
    for (var k = 0u; k < SAMPLES; k++) {
      last[k * GROUP_CAPACITY + g] = vec4f(0.0);
    }
  }
  workgroupBarrier();
  for (var p = 0u; p < params.positions; p++) {
    let read_half = (p % 2u) * SAMPLES * GROUP_CAPACITY;
    let write_half = SAMPLES * GROUP_CAPACITY - read_half;
    for (var g = lid; g < unit_groups; g += WORKGROUP_SIZE) {
      // rec[k] = Σ_j U[4g..4g+3][j] · y[k][j], j in groups of four, ascending
      // Zeroed explicitly: a declaration inside a loop is not re-zeroed on every iteration by every compiler.
      var rec: array<vec4f, SAMPLES>;
      for (var k = 0u; k < SAMPLES; k++) {
        rec[k] = vec4f(0.0);
      }
      for (var jj = 0u; jj < unit_groups; jj++) {
        let row = 4u * jj * unit_groups + g;
        let w0 = transposed_weights[row];
        let w1 = transposed_weights[row + unit_groups];
        let w2 = transposed_weights[row + 2u * unit_groups];
        let w3 = transposed_weights[row + 3u * unit_groups];
        for (var k = 0u; k < SAMPLES; k++) {
          let c = last[read_half + k * GROUP_CAPACITY + jj];
          rec[k] = rec[k] + (((w0 * c.x + w1 * c.y) + w2 * c.z) + w3 * c.w);
        }
      }
      for (var k = 0u; k < SAMPLES; k++) {
        let sample = first + k;
        var u = vec4f(0.0);
        var y = vec4f(0.0);
        var y_previous = vec4f(0.0);
        if (sample < params.batch) {
          let index = (sample * params.positions + p) * unit_groups + g;
          if (p < lengths[sample]) {
            u = input[index] + rec[k];
            y = activate(u, s);
            y_previous = last[read_half + k * GROUP_CAPACITY + g];
          }
          pre_activation[index] = u;
          output[index] = y;
          previous[index] = y_previous;
        }
        last[write_half + k * GROUP_CAPACITY + g] = y;
      }
    }
    workgroupBarrier();
  }
}
