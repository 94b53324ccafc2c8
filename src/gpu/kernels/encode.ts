import type { EncodingKind } from '../../model/spec';
import type { EncodeShape } from '../../reference/encode';
import { BufferArena, UniformWriter } from '../arena';
import type { GpuContext } from '../context';

export type { EncodeShape } from '../../reference/encode';

const WORKGROUP_SIZE = 64;
const ENCODING_CODE = { rate: 0, direct: 1 } as const;

/**
 * Records the token encoder (`shaders/encode.wgsl`) for steps [tStart, tStart + tCount) of an output
 * `[numSteps][batch][tokens][dim]`; other steps of `output` are left as they are. `tokenIds` is an
 * Int32Array `[batch][tokens]` (−1 silent), `probabilities` `[vocab][dim]`, `streamIds` a Uint32Array `[batch]`.
 * The spikes equal `encodeReference` exactly: the same stateless hash draws them on both sides.
 */
export function recordEncode(
  ctx: GpuContext,
  pass: GPUComputePassEncoder,
  arena: BufferArena,
  args: {
    kind: EncodingKind;
    seed: number;
    shape: EncodeShape;
    tStart: number;
    tCount: number;
    positionOffset: number;
    tokenIds: GPUBuffer;
    probabilities: GPUBuffer;
    streamIds: GPUBuffer;
    output: GPUBuffer;
    /** Input presented at step 0 only (0 afterwards). */
    firstStepOnly?: boolean;
  },
): void {
  const { numSteps, batch, tokens, dim } = args.shape;
  if (args.tStart < 0 || args.tCount < 0 || args.tStart + args.tCount > numSteps) {
    throw new RangeError(`Encoder steps [${args.tStart}, ${args.tStart + args.tCount}) are outside [0, ${numSteps}).`);
  }
  const uniform = new UniformWriter()
    .u32(args.seed)
    .u32(batch)
    .u32(tokens)
    .u32(dim)
    .u32(args.tStart)
    .u32(args.tCount)
    .u32(args.positionOffset)
    .u32(args.firstStepOnly ? 1 : 0)
    .finish();
  const pipeline = ctx.pipeline('encode.wgsl', { WORKGROUP_SIZE, ENCODING_KIND: ENCODING_CODE[args.kind] });
  ctx.dispatch(
    pass,
    pipeline,
    [arena.uniform('encode.params', uniform), args.tokenIds, args.probabilities, args.streamIds, args.output],
    ctx.grid1d(batch * tokens * dim, WORKGROUP_SIZE),
  );
}
