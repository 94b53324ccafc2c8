// One step of a NIR neuron node (I, IF, LI, LIF, CubaLI, CubaLIF), discretised by src/nir/compile.ts
// into 8 floats per element: a, b, c, v_threshold, v_reset, a_syn, b_syn, (unused).
//   synapse (SYNAPTIC): i ← a_syn·i + b_syn·x, drive = i; otherwise drive = x
//   v ← a·v + b·drive + c; SPIKING: z = v > v_threshold, then by RESET (NirReset in compile.ts):
//   0 v ← v_reset; 1 v ← v − v_threshold; 2 v_threshold is subtracted at the next step, after the leak
// The state holds v in [0, n) and i in [n, 2n); the trace of this chunk is [steps][fields][n] with
// fields v, then spikes (SPIKING), then i (SYNAPTIC). Twin: neuronStep in src/nir/reference.ts.
#include "indexing.wgsl"
#include "nir_clock.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
override SPIKING: u32 = 1u;
override SYNAPTIC: u32 = 0u;
override RESET: u32 = 0u;  // 0 zero, 1 subtract, 2 subtract-delayed

struct Params {
  count: u32,
  src_mode: u32,
  fields: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read> neuron: array<f32>;
@group(0) @binding(3) var<storage, read_write> state: array<f32>;
@group(0) @binding(4) var<storage, read> src: array<f32>;
@group(0) @binding(5) var<storage, read_write> dst: array<f32>;
@group(0) @binding(6) var<storage, read_write> trace: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let n = params.count;
  let i = linear_index(gid, groups, WORKGROUP_SIZE);
  if (i >= n) {
    return;
  }
  let o = i * 8u;
  let x = src[nir_offset(params.src_mode, n) + i];
  var drive = x;
  if (SYNAPTIC == 1u) {
    drive = neuron[o + 5u] * state[n + i] + neuron[o + 6u] * x;
    state[n + i] = drive;
  }
  let previous = state[i];
  var v = neuron[o] * previous + neuron[o + 1u] * drive + neuron[o + 2u];
  var y = v;
  if (SPIKING == 1u) {
    if (RESET == 2u && previous > neuron[o + 3u]) {
      v = v - neuron[o + 3u];
    }
    let spike = v > neuron[o + 3u];
    if (spike && RESET == 0u) {
      v = neuron[o + 4u];
    } else if (spike && RESET == 1u) {
      v = v - neuron[o + 3u];
    }
    y = select(0.0, 1.0, spike);
  }
  state[i] = v;
  dst[nir_offset(HALF_THIS_STEP, n) + i] = y;
  let row = clock[0] * params.fields * n;
  trace[row + i] = v;
  var field = 1u;
  if (SPIKING == 1u) {
    trace[row + field * n + i] = y;
    field = field + 1u;
  }
  if (SYNAPTIC == 1u) {
    trace[row + field * n + i] = drive;
  }
}
