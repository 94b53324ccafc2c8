// The clock of a NIR run (src/nir/gpu.ts): clock[0] = the step within the chunk being recorded,
// clock[1] = the step since the run began. Every node keeps its value of this step and of the step
// before in two halves of its buffer, chosen by the parity of clock[1]; recurrent edges read the other half.
@group(0) @binding(1) var<storage, read> clock: array<u32>;

const HALF_THIS_STEP: u32 = 0u;      // the half written this step
const HALF_PREVIOUS_STEP: u32 = 1u;  // the half written the step before
const WHOLE: u32 = 2u;               // a plain buffer
const CHUNK_ROW: u32 = 3u;           // row clock[0] of a [steps][count] buffer (inputs, traces)

fn nir_offset(mode: u32, count: u32) -> u32 {
  let parity = clock[1] & 1u;
  switch (mode) {
    case 0u: { return parity * count; }
    case 1u: { return (1u - parity) * count; }
    case 3u: { return clock[0] * count; }
    default: { return 0u; }
  }
}
