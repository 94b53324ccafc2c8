// Advances the clock of a NIR run by one step (see nir_clock.wgsl).
@group(0) @binding(0) var<storage, read_write> clock: array<u32>;

@compute @workgroup_size(1)
fn main() {
  clock[0] = clock[0] + 1u;
  clock[1] = clock[1] + 1u;
}
