// The neuron step (charge, fire, reset) shared by every kernel with neurons in it: the skeleton,
// composed with the charge of the model (NEURON_MODEL, generated from the table src/neurons/models.ts).
// Twin: src/reference/neuron.ts, where the equations are written out.  RESET_MODE: 0 = soft, 1 = hard, 2 = none.
#include "neuron_models.wgsl"

override RESET_MODE: u32 = 0u;

struct NeuronStep {
  h: f32,
  s: f32,
  v: f32,
  count: f32,
}

fn neuron_step(v: f32, count: f32, x: f32, v_threshold: f32, beta: f32, v_reset: f32, max_count: f32) -> NeuronStep {
  let h = neuron_charge(v, x, beta);
  var out = NeuronStep(h, 0.0, h, count);
  if (neuron_bipolar()) {
    if (h >= v_threshold && count < max_count) {
      out.s = 1.0;
    } else if (h < 0.0 && count > 0.0) {
      out.s = -1.0;
    }
    if (out.s != 0.0) {
      out.v = h - out.s * v_threshold;
    }
    out.count = count + out.s;
    return out;
  }
  if (h >= v_threshold) {
    out.s = 1.0;
    if (RESET_MODE == 0u) {
      out.v = h - v_threshold;
    } else if (RESET_MODE == 1u) {
      out.v = v_reset;
    }
  }
  return out;
}
