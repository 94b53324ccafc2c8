/** Sizes of a placement: `groups` blocks (`T · batch` rows) of `[positions][channels]`. */
export interface PlaceShape {
  groups: number;
  positionsIn: number;
  channelsIn: number;
  positionsOut: number;
  channelsOut: number;
  /** First output channel the input's channels land on. */
  channelOffset: number;
}

/**
 * Places an input's channels into a wider output, the twin of `shaders/place.wgsl` (concatenation
 * and sums of layers): for every group g, output position p < positionsOut and input channel c,
 * ```
 * v = p < positionsIn ? input[g][p][c] : 0
 * output[g][p][channelOffset + c] = accumulate ? fround(output[…] + v) : v
 * ```
 * Other output channels are left as they are. In place on `output`.
 */
export function placeReference(shape: PlaceShape, input: Float32Array, output: Float32Array, accumulate: boolean): void {
  const { groups, positionsIn, channelsIn, positionsOut, channelsOut, channelOffset } = shape;
  for (let g = 0; g < groups; g++) {
    for (let p = 0; p < positionsOut; p++) {
      for (let c = 0; c < channelsIn; c++) {
        const v = p < positionsIn ? input[(g * positionsIn + p) * channelsIn + c] : 0;
        const index = (g * positionsOut + p) * channelsOut + channelOffset + c;
        output[index] = accumulate ? Math.fround(output[index] + v) : v;
      }
    }
  }
}
