// The ANN twin's activation of one value, shared by the activation and recurrent kernels.
// Twin: src/reference/activation.ts, where the equations are written out.
// ACTIVATION_KIND: 0 = relu, 1 = identity, 2 = quant.

override ACTIVATION_KIND: u32 = 0u;

// quant: y = step * clamp(floor(x / step + 0.5), 0, levels - 1), in that order; max_level = levels - 1.
fn apply_activation(x: f32, step: f32, max_level: f32) -> f32 {
  if (ACTIVATION_KIND == 0u) {
    return max(x, 0.0);
  }
  if (ACTIVATION_KIND == 2u) {
    return step * clamp(floor(x / step + 0.5), 0.0, max_level);
  }
  return x;
}
