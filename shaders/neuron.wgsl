// Neuron layer over a range of time steps, one thread per neuron keeping v in a register
// (multi-step when t_count = T; one dispatch per step when t_count = 1). Twin: src/reference/neuron.ts.
// SEQUENCE = 1: neurons over the positions (architecture §2.5): one thread per (sample, channel)
// walks the sample's running positions in order, all steps of each, carrying v; the positions past
// valid_positions[b] get spikes and membrane 0.
#include "neuron_step.wgsl"
#include "indexing.wgsl"
#include "neuron_lanes.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
override SEQUENCE: u32 = 0u;

struct Params {
  neurons: u32,        // elements per time step
  channels: u32,       // channel = neuron % channels (per-channel thresholds)
  per_channel: u32,    // 1 when v_threshold has one value per channel
  t_start: u32,
  t_count: u32,
  initialize: u32,     // 1: start from the initial state instead of the state buffers
  record_membrane: u32,
  levels: u32,
  per_channel_beta: u32, // 1 when v_beta has one value per channel
  v_reset: f32,
  v_init_fraction: f32,
  x_broadcast: u32,    // 1: x holds one step, the same current at every step (static input)
  batch: u32,          // SEQUENCE: samples; neurons = batch × positions × channels
  positions: u32,      // SEQUENCE: positions per sample
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> v_threshold: array<f32>;
@group(0) @binding(3) var<storage, read_write> spikes: array<f32>;
@group(0) @binding(4) var<storage, read_write> state_v: array<f32>;
@group(0) @binding(5) var<storage, read_write> state_count: array<f32>;
@group(0) @binding(6) var<storage, read_write> membrane: array<f32>;
@group(0) @binding(7) var<storage, read> v_beta: array<f32>;
@group(0) @binding(8) var<storage, read> valid_positions: array<u32>;  // SEQUENCE: [batch]

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = linear_index(gid, groups, WORKGROUP_SIZE);
  let lane = neuron_lane(i);
  if (!lane.runs) {
    return;
  }
  let base = lane.base;
  let windows = lane.windows;
  let running = lane.running;
  var threshold = v_threshold[0];
  if (params.per_channel == 1u) {
    threshold = v_threshold[i % params.channels];
  }
  var beta = v_beta[0];
  if (params.per_channel_beta == 1u) {
    beta = v_beta[i % params.channels];
  }
  var v = state_v[i];
  var count = state_count[i];
  if (params.initialize == 1u) {
    v = params.v_init_fraction * threshold;
    count = 0.0;
  }
  let max_count = f32(params.levels) - 1.0;
  var x_stride = params.neurons;
  if (params.x_broadcast == 1u) {
    x_stride = 0u;
  }
  for (var w = 0u; w < windows; w++) {
    let element = base + w * params.channels;
    for (var t = params.t_start; t < params.t_start + params.t_count; t++) {
      let index = t * params.neurons + element;
      if (w >= running) {
        spikes[index] = 0.0;
        if (params.record_membrane == 1u) {
          membrane[index] = 0.0;
        }
        continue;
      }
      let step = neuron_step(v, count, x[t * x_stride + element], threshold, beta, params.v_reset, max_count);
      if (params.record_membrane == 1u) {
        membrane[index] = step.h;
      }
      spikes[index] = step.s;
      v = step.v;
      count = step.count;
    }
  }
  state_v[i] = v;
  state_count[i] = count;
}
