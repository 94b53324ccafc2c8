// The recurrent layer of a quantised RNN over tokens, backward through time, for training.
// TRAIN_MODE 0: a workgroup takes SAMPLES samples in lockstep, its threads groups of 4 hidden units,
//   positions from the last to the first: g_p = dy_p + Uᵀ du_{p+1}, du_p = g_p · act'(u_p);
//   partials[sample][h] = Σ_p g_p · ∂y_p/∂s. du_{p+1} lives in workgroup memory, double-buffered,
//   with one barrier per position. U is stored transposed, [j][h] = U[h][j]; hidden is a multiple of 4.
// TRAIN_MODE 1: one thread: grad_input[0] = step_grad_scale · Σ partials (samples, then units, in order).
// Twin: src/reference/token-recurrent-train.ts, where the equations are written out.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 32u;
override GROUP_CAPACITY: u32 = 32u;
override TRAIN_MODE: u32 = 0u;
// 0 = relu, 1 = identity, 2 = quant (as activation_function.wgsl).
override ACTIVATION_KIND: u32 = 0u;
const SAMPLES: u32 = 4u;

struct Params {
  batch: u32,
  positions: u32,
  hidden: u32,
  max_level: f32,       // quant: levels - 1
  step_grad_scale: f32,
  _pad0: f32,
  _pad1: f32,
  _pad2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> step: array<f32>;                  // [1] the quantiser's step s
@group(0) @binding(2) var<storage, read> pre_activation: array<vec4f>;      // u [batch][positions][hidden]
@group(0) @binding(3) var<storage, read> transposed_weights: array<vec4f>;  // Uᵀ [hidden][hidden]
@group(0) @binding(4) var<storage, read> lengths: array<u32>;               // [batch]
@group(0) @binding(5) var<storage, read> grad_output: array<vec4f>;         // dy [batch][positions][hidden]
@group(0) @binding(6) var<storage, read_write> grad_input: array<f32>;      // du (mode 0), the step gradient (mode 1)
@group(0) @binding(7) var<storage, read_write> partials: array<vec4f>;      // [batch][hidden]

// [half][sample][group]: du of the position after.
var<workgroup> later: array<vec4f, 2u * SAMPLES * GROUP_CAPACITY>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) workgroup: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let unit_groups = params.hidden / 4u;
  if (TRAIN_MODE == 1u) {
    if (workgroup.x == 0u && workgroup.y == 0u && lid == 0u) {
      var total = 0.0;
      for (var i = 0u; i < params.batch * unit_groups; i++) {
        let partial = partials[i];
        total += partial.x;
        total += partial.y;
        total += partial.z;
        total += partial.w;
      }
      grad_input[0] = total * params.step_grad_scale;
    }
    return;
  }
  let first = linear_index(workgroup, groups, 1u) * SAMPLES;
  if (first >= params.batch) {
    return;
  }
  let s = step[0];
  for (var g = lid; g < unit_groups; g += WORKGROUP_SIZE) {
    for (var k = 0u; k < SAMPLES; k++) {
      later[k * GROUP_CAPACITY + g] = vec4f(0.0);
      if (first + k < params.batch) {
        partials[(first + k) * unit_groups + g] = vec4f(0.0);
      }
    }
  }
  workgroupBarrier();
  for (var step_back = 0u; step_back < params.positions; step_back++) {
    let p = params.positions - 1u - step_back;
    let read_half = (step_back % 2u) * SAMPLES * GROUP_CAPACITY;
    let write_half = SAMPLES * GROUP_CAPACITY - read_half;
    for (var g = lid; g < unit_groups; g += WORKGROUP_SIZE) {
      // from_later[k][h] = Σ_j U[j][h] · du[k][j] for h in 4g..4g+3: rows 4g..4g+3 of Uᵀ, j ascending in fours
      // Zeroed explicitly: a declaration inside a loop is not re-zeroed on every iteration by every compiler.
      var from_later: array<vec4f, SAMPLES>;
      for (var k = 0u; k < SAMPLES; k++) {
        from_later[k] = vec4f(0.0);
      }
      let row = 4u * g * unit_groups;
      for (var jj = 0u; jj < unit_groups; jj++) {
        let r0 = transposed_weights[row + jj];
        let r1 = transposed_weights[row + unit_groups + jj];
        let r2 = transposed_weights[row + 2u * unit_groups + jj];
        let r3 = transposed_weights[row + 3u * unit_groups + jj];
        for (var k = 0u; k < SAMPLES; k++) {
          let d = later[read_half + k * GROUP_CAPACITY + jj];
          from_later[k] = from_later[k] + vec4f(dot(r0, d), dot(r1, d), dot(r2, d), dot(r3, d));
        }
      }
      for (var k = 0u; k < SAMPLES; k++) {
        let sample = first + k;
        var du = vec4f(0.0);
        if (sample < params.batch) {
          let index = (sample * params.positions + p) * unit_groups + g;
          if (p < lengths[sample]) {
            let gradient = grad_output[index] + from_later[k];
            let u = pre_activation[index];
            du = gradient;
            if (ACTIVATION_KIND == 0u) {
              du = select(vec4f(0.0), gradient, u > vec4f(0.0));
            } else if (ACTIVATION_KIND == 2u) {
              // Straight-through inside the clip range; LSQ: ⌊x + ½⌋ − x inside, L − 1 above, 0 below.
              let x = u / s;
              let inside = (x > vec4f(0.0)) & (x < vec4f(params.max_level));
              let above = x >= vec4f(params.max_level);
              du = select(vec4f(0.0), gradient, inside);
              let ds = select(select(vec4f(0.0), vec4f(params.max_level), above), floor(x + 0.5) - x, inside);
              partials[sample * unit_groups + g] += gradient * ds;
            }
          }
          let base = 4u * index;
          grad_input[base] = du.x;
          grad_input[base + 1u] = du.y;
          grad_input[base + 2u] = du.z;
          grad_input[base + 3u] = du.w;
        }
        later[write_half + k * GROUP_CAPACITY + g] = du;
      }
    }
    workgroupBarrier();
  }
}
