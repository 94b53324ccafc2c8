// Stateless counter-based randomness; the TypeScript twin is src/reference/rng.ts.

// lowbias32 integer hash (Wellons).
fn hash_u32(x: u32) -> u32 {
  var v = x;
  v ^= v >> 16u;
  v *= 0x7feb352du;
  v ^= v >> 15u;
  v *= 0x846ca68bu;
  v ^= v >> 16u;
  return v;
}

fn rng_key(seed: u32, sample: u32, position: u32, channel: u32, step: u32) -> u32 {
  var h = hash_u32(seed);
  h = hash_u32(h ^ sample);
  h = hash_u32(h ^ position);
  h = hash_u32(h ^ channel);
  h = hash_u32(h ^ step);
  return h;
}

// Uniform in [0, 1) from the top 24 bits: exact in f32.
fn rng_uniform(h: u32) -> f32 {
  return f32(h >> 8u) * (1.0 / 16777216.0);
}
