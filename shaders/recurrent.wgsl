// Recurrent spiking layer over a range of time steps: one workgroup per sample, its threads over the
// hidden units (each thread owns units lid, lid + WORKGROUP_SIZE, ...). The previous step's spikes of
// the sample live in workgroup memory, double-buffered, with one barrier per step.
// Twin: src/reference/recurrent.ts.
#include "neuron_step.wgsl"
#include "activation_function.wgsl"
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
// Largest hidden size this pipeline holds; workgroup memory is 2 · HIDDEN_CAPACITY floats.
override HIDDEN_CAPACITY: u32 = 2048u;
// 0: the neuron step; 1: the ANN twin, y_t = act(x_t) (ACTIVATION_KIND of activation_function.wgsl).
override ANN_TWIN: u32 = 0u;

struct Params {
  batch: u32,
  hidden: u32,
  per_channel: u32,      // 1 when v_threshold has one value per hidden unit
  t_start: u32,
  t_count: u32,
  record_membrane: u32,
  levels: u32,
  _pad0: u32,
  beta: f32,
  v_reset: f32,
  v_init_fraction: f32,
  activation_step: f32,
  activation_max_level: f32,
  _pad1: f32,
  _pad2: f32,
  _pad3: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input_current: array<f32>;      // [T][batch][hidden]: W·in_t + b
@group(0) @binding(2) var<storage, read> recurrent_weights: array<f32>;  // U [hidden][hidden]
@group(0) @binding(3) var<storage, read> v_threshold: array<f32>;
@group(0) @binding(4) var<storage, read_write> spikes: array<f32>;       // [T][batch][hidden]
@group(0) @binding(5) var<storage, read_write> state_v: array<f32>;      // [batch][hidden]
@group(0) @binding(6) var<storage, read_write> state_count: array<f32>;  // [batch][hidden]
@group(0) @binding(7) var<storage, read_write> membrane: array<f32>;     // [T][batch][hidden]

// s_{t-1} in one half, s_t written into the other.
var<workgroup> previous_spikes: array<f32, 2u * HIDDEN_CAPACITY>;

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
  // s_prev at tStart: zero at the first step, otherwise the spikes this layer wrote at tStart - 1.
  for (var h = lid; h < hidden; h += WORKGROUP_SIZE) {
    var s_prev = 0.0;
    if (params.t_start > 0u) {
      s_prev = spikes[((params.t_start - 1u) * params.batch + sample) * hidden + h];
    }
    previous_spikes[h] = s_prev;
  }
  workgroupBarrier();
  let max_count = f32(params.levels) - 1.0;
  for (var t = params.t_start; t < params.t_start + params.t_count; t++) {
    let read_half = ((t - params.t_start) % 2u) * HIDDEN_CAPACITY;
    let write_half = HIDDEN_CAPACITY - read_half;
    for (var h = lid; h < hidden; h += WORKGROUP_SIZE) {
      // rec = Σ_j U[h][j] · s_prev[j] (j ascending); x = inputCurrent + rec
      let row = h * hidden;
      var rec = 0.0;
      for (var j = 0u; j < hidden; j++) {
        rec = rec + recurrent_weights[row + j] * previous_spikes[read_half + j];
      }
      let index = (t * params.batch + sample) * hidden + h;
      let x = input_current[index] + rec;
      var s: f32;
      if (ANN_TWIN == 1u) {
        s = apply_activation(x, params.activation_step, params.activation_max_level);
        if (params.record_membrane == 1u) {
          membrane[index] = x;
        }
      } else {
        let unit = sample * hidden + h;
        var threshold = v_threshold[0];
        if (params.per_channel == 1u) {
          threshold = v_threshold[h];
        }
        var v = state_v[unit];
        var count = state_count[unit];
        if (t == 0u) {
          v = params.v_init_fraction * threshold;
          count = 0.0;
        }
        let step = neuron_step(v, count, x, threshold, params.beta, params.v_reset, max_count);
        state_v[unit] = step.v;
        state_count[unit] = step.count;
        s = step.s;
        if (params.record_membrane == 1u) {
          membrane[index] = step.h;
        }
      }
      spikes[index] = s;
      previous_spikes[write_half + h] = s;
    }
    workgroupBarrier();
  }
}
