// The ANN twin's replacement for a neuron layer: one thread per element, y = act(x).
// Twin: src/reference/activation.ts.
#include "activation_function.wgsl"
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  count: u32,
  max_level: f32,  // quant: levels - 1
  step: f32,       // quant: the step s
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = linear_index(gid, groups, WORKGROUP_SIZE);
  if (i >= params.count) {
    return;
  }
  output[i] = apply_activation(input[i], params.step, params.max_level);
}
