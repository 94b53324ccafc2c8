// Token-recurrent spiking layer over a block of positions: one workgroup per sample, its threads over
// the hidden units (each thread owns units lid, lid + WORKGROUP_SIZE, ...). Positions run in order;
// each gets its own window of the run's steps, and at the window's first step its neurons receive
// U · c, c the spike counts of the position before (carried in from the previous block at the first).
// The counts live in workgroup memory, double-buffered, with one barrier per position.
// Twin: src/reference/token-recurrent.ts, where the equations are written out.
#include "neuron_step.wgsl"
#include "activation_function.wgsl"
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
// Largest hidden size this pipeline holds; workgroup memory is 2 · HIDDEN_CAPACITY floats.
override HIDDEN_CAPACITY: u32 = 256u;
// 0: the neurons over num_steps steps per position; 1: the ANN twin, y_p = act(x_p + U · y_{p-1}).
override ANN_TWIN: u32 = 0u;

struct Params {
  batch: u32,
  positions: u32,
  hidden: u32,
  num_steps: u32,
  per_channel: u32,      // 1 when v_threshold has one value per hidden unit
  continues: u32,        // 1: start from the counts in carry; 0: from zeros
  record_membrane: u32,
  levels: u32,
  x_broadcast: u32,      // 1: x holds one step, the same current at every step
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  beta: f32,
  v_reset: f32,
  v_init_fraction: f32,
  activation_step: f32,
  activation_max_level: f32,
  _pad3: f32,
  _pad4: f32,
  _pad5: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;                  // [T][batch][positions][hidden]
@group(0) @binding(2) var<storage, read> recurrent_weights: array<f32>;  // U [hidden][hidden]
@group(0) @binding(3) var<storage, read> v_threshold: array<f32>;
@group(0) @binding(4) var<storage, read> valid_positions: array<u32>;    // [batch]
@group(0) @binding(5) var<storage, read_write> carry: array<f32>;        // [batch][hidden]
@group(0) @binding(6) var<storage, read_write> spikes: array<f32>;       // [T][batch][positions][hidden]
@group(0) @binding(7) var<storage, read_write> membrane: array<f32>;     // [T][batch][positions][hidden]

// c of the position before in one half, this position's written into the other.
var<workgroup> counts: array<f32, 2u * HIDDEN_CAPACITY>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) workgroup: vec3u,
  @builtin(num_workgroups) groups: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let sample = linear_index(workgroup, groups, 1u);
  if (sample >= params.batch) {
    return;
  }
  let hidden = params.hidden;
  for (var h = lid; h < hidden; h += WORKGROUP_SIZE) {
    var c = 0.0;
    if (params.continues == 1u) {
      c = carry[sample * hidden + h];
    }
    counts[h] = c;
  }
  workgroupBarrier();
  let valid = valid_positions[sample];
  let max_count = f32(params.levels) - 1.0;
  let step_stride = params.batch * params.positions * hidden;
  var x_step_stride = step_stride;
  if (params.x_broadcast == 1u) {
    x_step_stride = 0u;
  }
  for (var q = 0u; q < params.positions; q++) {
    let read_half = (q % 2u) * HIDDEN_CAPACITY;
    let write_half = HIDDEN_CAPACITY - read_half;
    for (var h = lid; h < hidden; h += WORKGROUP_SIZE) {
      let base = (sample * params.positions + q) * hidden + h;
      var next = counts[read_half + h];
      if (q < valid) {
        // rec = Σ_j U[h][j] · c[j] (j ascending), delivered at the window's first step
        let row = h * hidden;
        var rec = 0.0;
        for (var j = 0u; j < hidden; j++) {
          rec = rec + recurrent_weights[row + j] * counts[read_half + j];
        }
        if (ANN_TWIN == 1u) {
          let current = x[base] + rec;
          next = apply_activation(current, params.activation_step, params.activation_max_level);
          spikes[base] = next;
          if (params.record_membrane == 1u) {
            membrane[base] = current;
          }
        } else {
          var threshold = v_threshold[0];
          if (params.per_channel == 1u) {
            threshold = v_threshold[h];
          }
          var v = params.v_init_fraction * threshold;
          var count = 0.0;
          var total = 0.0;
          for (var t = 0u; t < params.num_steps; t++) {
            var current = x[t * x_step_stride + base];
            if (t == 0u) {
              current = current + rec;
            }
            let step = neuron_step(v, count, current, threshold, params.beta, params.v_reset, max_count);
            spikes[t * step_stride + base] = step.s;
            if (params.record_membrane == 1u) {
              membrane[t * step_stride + base] = step.h;
            }
            v = step.v;
            count = step.count;
            total = total + step.s;
          }
          next = total;
        }
      } else {
        // Past the sample's length: silent, and the counts carry on unchanged.
        for (var t = 0u; t < params.num_steps; t++) {
          spikes[t * step_stride + base] = 0.0;
          if (params.record_membrane == 1u) {
            membrane[t * step_stride + base] = 0.0;
          }
        }
      }
      counts[write_half + h] = next;
    }
    workgroupBarrier();
  }
  let last_half = (params.positions % 2u) * HIDDEN_CAPACITY;
  for (var h = lid; h < hidden; h += WORKGROUP_SIZE) {
    carry[sample * hidden + h] = counts[last_half + h];
  }
}
