// The ANN activations of training, with the quantiser's step read from a learned parameter, and their
// gradients. Twin: src/reference/activation-train.ts, where the equations are written out.
// TRAIN_MODE 0 (forward): one thread per element, output = act(input).
// TRAIN_MODE 1 (backward): one thread per chunk of CHUNK elements: output = dx, partials[chunk] = Σ dy·∂y/∂s.
// TRAIN_MODE 2 (step gradient): one thread: output[0] = step_grad_scale · Σ partials (in order).
#include "activation_function.wgsl"
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
override TRAIN_MODE: u32 = 0u;
const CHUNK: u32 = 256u;

struct Params {
  count: u32,
  chunks: u32,
  max_level: f32,       // quant: levels - 1
  step_grad_scale: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> step: array<f32>;          // [1] the quantiser's step s
@group(0) @binding(2) var<storage, read> input: array<f32>;         // x (pre-activation)
@group(0) @binding(3) var<storage, read> grad_output: array<f32>;   // dy (backward)
@group(0) @binding(4) var<storage, read_write> output: array<f32>;  // y, dx, or the step gradient
@group(0) @binding(5) var<storage, read_write> partials: array<f32>; // [chunks]

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = linear_index(gid, groups, WORKGROUP_SIZE);
  let s = step[0];
  if (TRAIN_MODE == 0u) {
    if (index < params.count) {
      output[index] = apply_activation(input[index], s, params.max_level);
    }
    return;
  }
  if (TRAIN_MODE == 2u) {
    if (index == 0u) {
      var total = 0.0;
      for (var chunk = 0u; chunk < params.chunks; chunk++) {
        total += partials[chunk];
      }
      output[0] = total * params.step_grad_scale;
    }
    return;
  }
  if (index >= params.chunks) {
    return;
  }
  var partial = 0.0;
  for (var i = index * CHUNK; i < min(params.count, (index + 1u) * CHUNK); i++) {
    let x = input[i];
    let dy = grad_output[i];
    var dx = dy;
    if (ACTIVATION_KIND == 0u) {
      dx = select(0.0, dy, x > 0.0);
    } else if (ACTIVATION_KIND == 2u) {
      let u = x / s;
      if (u <= 0.0) {
        dx = 0.0;
      } else if (u >= params.max_level) {
        dx = 0.0;
        partial += dy * params.max_level;
      } else {
        partial += dy * (floor(u + 0.5) - u);
      }
    }
    output[i] = dx;
  }
  partials[index] = partial;
}
