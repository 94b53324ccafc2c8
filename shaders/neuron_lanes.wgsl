// The lanes of a neuron dispatch (architecture §2.5), shared by neuron.wgsl and neuron_backward.wgsl,
// twin of `neuronLanes` in src/reference/neuron.ts. A plain layer: lane i is element i, one window.
// SEQUENCE = 1 (neurons over the positions): lane i is (sample b, channel c) = (i / channels,
// i % channels); its windows are the sample's positions, element base + w·channels at window w, and
// only the first valid_positions[b] of them run. The including shader declares SEQUENCE, `params`
// (neurons, batch, positions, channels) and `valid_positions`.

struct NeuronLane {
  runs: bool,
  base: u32,
  windows: u32,
  running: u32,
}

fn neuron_lane(i: u32) -> NeuronLane {
  if (SEQUENCE == 0u) {
    return NeuronLane(i < params.neurons, i, 1u, 1u);
  }
  if (i >= params.batch * params.channels) {
    return NeuronLane(false, 0u, 0u, 0u);
  }
  let b = i / params.channels;
  return NeuronLane(true, b * params.positions * params.channels + i % params.channels, params.positions, min(params.positions, valid_positions[b]));
}
