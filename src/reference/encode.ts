import type { EncodingKind } from '../model/spec';
import { rngKey, rngUniform } from './rng';

/** Sizes of one encoder call: its output is `[numSteps][batch][tokens][dim]`. */
export interface EncodeShape {
  numSteps: number;
  batch: number;
  tokens: number;
  dim: number;
}

/** Inputs of the token encoder, shared by the reference and the GPU kernel (there as buffers). */
export interface EncodeArgs {
  kind: EncodingKind;
  seed: number;
  shape: EncodeShape;
  /** Position of token 0 in the sentence, so a sentence encoded in chunks draws the same spikes. */
  positionOffset: number;
  /** `[batch][tokens]` vocabulary ids; −1 is a silent token (padding, unknown word). */
  tokenIds: Int32Array;
  /** `[vocab][dim]` firing probability of each component of each word. */
  probabilities: Float32Array;
  /** `[batch]` the random stream of each sample, so a sentence's spikes do not depend on its batch slot. */
  streamIds: Uint32Array;
  /** Input presented at step 0 only (0 afterwards): the analog input of Su et al., or one draw of rate spikes. */
  firstStepOnly?: boolean;
}

/**
 * The token encoder (architecture §1.3), twin of `shaders/encode.wgsl`. With `p = probabilities[id][d]`
 * (0 for a silent token):
 * ```
 * rate:   s[t][b][j][d] = uniform(key(seed, streamIds[b], positionOffset + j, d, t)) < p ? 1 : 0
 * direct: s[t][b][j][d] = p
 * firstStepOnly: as above at t = 0, 0 at t > 0
 * ```
 * The draw is stateless (`reference/rng.ts`), so the GPU produces exactly the same spikes.
 */
export function encodeReference(args: EncodeArgs): Float32Array {
  const { numSteps, batch, tokens, dim } = args.shape;
  const perStep = batch * tokens * dim;
  const output = new Float32Array(numSteps * perStep);
  const vocab = args.probabilities.length / dim;
  for (let b = 0; b < batch; b++) {
    const stream = args.streamIds[b];
    for (let j = 0; j < tokens; j++) {
      const token = args.tokenIds[b * tokens + j];
      if (token >= vocab) throw new RangeError(`Token id ${token} at sample ${b}, position ${j} is outside the vocabulary of ${vocab} words.`);
      const position = args.positionOffset + j;
      for (let d = 0; d < dim; d++) {
        const p = token < 0 ? 0 : args.probabilities[token * dim + d];
        const element = (b * tokens + j) * dim + d;
        for (let t = 0; t < numSteps; t++) {
          const value =
            args.firstStepOnly && t > 0 ? 0 : args.kind === 'direct' ? p : rngUniform(rngKey(args.seed, stream, position, d, t)) < p ? 1 : 0;
          output[t * perStep + element] = value;
        }
      }
    }
  }
  return output;
}
