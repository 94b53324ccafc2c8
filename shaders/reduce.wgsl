// Sums over time and over groups of consecutive elements, for counting spikes: one thread per output.
// Twin: src/reference/reduce.ts. Input [numSteps][outputs * group_size]:
//   out[o] = Σ_t Σ_{k < group_size} f(in[t][o * group_size + k]),  t outer ascending, k inner ascending,
//   f(s) = |s| when ABSOLUTE = 1 (events), s otherwise (signed counts).
// group_size = 1: sum over time; = channels: events per position; = population: the readout.
#include "indexing.wgsl"

override WORKGROUP_SIZE: u32 = 64u;
override ABSOLUTE: u32 = 0u;

struct Params {
  num_steps: u32,
  outputs: u32,
  group_size: u32,
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let o = linear_index(gid, groups, WORKGROUP_SIZE);
  if (o >= params.outputs) {
    return;
  }
  let per_step = params.outputs * params.group_size;
  var acc = 0.0;
  for (var t = 0u; t < params.num_steps; t++) {
    let first = t * per_step + o * params.group_size;
    for (var k = 0u; k < params.group_size; k++) {
      var value = input[first + k];
      if (ABSOLUTE == 1u) {
        value = abs(value);
      }
      acc = acc + value;
    }
  }
  output[o] = acc;
}
