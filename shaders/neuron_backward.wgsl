// Backpropagation through time of the neuron step with a surrogate spike derivative: one thread per
// neuron walks the steps backwards, carrying the gradient of v in a register. The skeleton, composed
// with the model's leak and ∂h/∂β (NEURON_MODEL, generated from src/neurons/models.ts); a model that
// learns its leak and threshold (LEARNS = 1) also writes their gradients per neuron.
// Twin: src/reference/neuron-backward.ts, where the equations are written out. The forward's spike
// at a step is recomputed from its h (s = h ≥ θ, the forward's own test on the same bits).
// SEQUENCE = 1: neurons over the positions (architecture §2.5): one thread per (sample, channel)
// walks back through its sample's running positions, δ carried across them; the rest get 0.
#include "indexing.wgsl"
#include "neuron_lanes.wgsl"
#include "neuron_models.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
override SURROGATE: u32 = 0u;     // 0 = fast sigmoid, 1 = piecewise linear
override RESET_PATH: u32 = 1u;    // 1 = soft reset, gradient through it; 0 = detached or no reset
override RESET_SOFT: u32 = 1u;    // 1 = the forward resets softly (v = h − θ·s); 0 = no reset
override LEARNS: u32 = 0u;        // 1 = write ∂L/∂β and ∂L/∂θ per neuron
override SEQUENCE: u32 = 0u;      // 1 = neurons over the positions

struct Params {
  neurons: u32,
  num_steps: u32,
  channels: u32,
  per_channel: u32,       // 1: one threshold per channel
  per_channel_beta: u32,  // 1: one leak per channel
  slope: f32,             // fast sigmoid k
  v_init_fraction: f32,
  batch: u32,             // SEQUENCE: samples; neurons = batch × positions × channels
  positions: u32,         // SEQUENCE: positions per sample
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> membrane: array<f32>;     // h [T][neurons]
@group(0) @binding(2) var<storage, read> grad_spikes: array<f32>;  // dL/ds [T][neurons]
@group(0) @binding(3) var<storage, read> v_threshold: array<f32>;  // [1] or [channels]
@group(0) @binding(4) var<storage, read_write> grad_x: array<f32>; // dL/dx [T][neurons]
@group(0) @binding(5) var<storage, read> v_beta: array<f32>;       // [1] or [channels]
@group(0) @binding(6) var<storage, read> valid_positions: array<u32>;  // [batch] (SEQUENCE)
@group(0) @binding(7) var<storage, read_write> grad_beta: array<f32>;       // [neurons] (LEARNS)
@group(0) @binding(8) var<storage, read_write> grad_threshold: array<f32>;  // [neurons] (LEARNS)

fn surrogate(u: f32, theta: f32) -> f32 {
  if (SURROGATE == 0u) {
    let d = 1.0 + params.slope * abs(u);
    return 1.0 / (d * d);
  }
  return 0.3 * max(0.0, 1.0 - abs(u / theta));
}

fn spike_of(h: f32, theta: f32) -> f32 {
  return select(0.0, 1.0, h >= theta);
}

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
  var theta = v_threshold[0];
  if (params.per_channel == 1u) {
    theta = v_threshold[i % params.channels];
  }
  var beta = v_beta[0];
  if (params.per_channel_beta == 1u) {
    beta = v_beta[i % params.channels];
  }
  let leak = neuron_leak(beta);
  // Silent positions: no gradient.
  for (var w = running; w < windows; w++) {
    for (var t = 0u; t < params.num_steps; t++) {
      grad_x[t * params.neurons + base + w * params.channels] = 0.0;
    }
  }
  var carry = 0.0;
  var gb = 0.0;
  var gt = 0.0;
  let total = running * params.num_steps;
  for (var step = 0u; step < total; step++) {
    // Lane step tau = w·T + t, last to first.
    let tau = total - 1u - step;
    let t = tau % params.num_steps;
    let index = t * params.neurons + base + (tau / params.num_steps) * params.channels;
    let h = membrane[index];
    let sigma = surrogate(h - theta, theta);
    var reset_factor = 1.0;
    if (RESET_PATH == 1u) {
      reset_factor = 1.0 - theta * sigma;
    }
    let grad_h = grad_spikes[index] * sigma + carry * reset_factor;
    grad_x[index] = grad_h;
    if (LEARNS == 1u) {
      var previous = params.v_init_fraction * theta;
      if (tau > 0u) {
        let before = tau - 1u;
        previous = membrane[(before % params.num_steps) * params.neurons + base + (before / params.num_steps) * params.channels];
        if (RESET_SOFT == 1u) {
          previous = previous - theta * spike_of(previous, theta);
        }
      }
      gb = gb + grad_h * neuron_dcharge_dbeta(previous, beta);
      var dv_dtheta = 0.0;
      if (RESET_SOFT == 1u) {
        dv_dtheta = -spike_of(h, theta);
        if (RESET_PATH == 1u) {
          dv_dtheta = theta * sigma - spike_of(h, theta);
        }
      }
      gt = gt + (-grad_spikes[index] * sigma + carry * dv_dtheta);
    }
    carry = leak * grad_h;
  }
  if (LEARNS == 1u) {
    grad_beta[i] = gb;
    grad_threshold[i] = gt + carry * params.v_init_fraction;
  }
}
