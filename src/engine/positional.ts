import { channelWidths, positionChunks, type PositionChunk } from './batch';
import { copyPositions, neuronParams, neuronSpecOf, range, splitSamples, type Walk } from './walk';

/**
 * Records the positional layers (encoder, convolution, neuron layers) chunk by chunk of positions,
 * each chunk's pool sums accumulating into one `[T·batch][channels]` tensor, which it returns.
 * Each (position, channel) is its own neuron and the RNG is keyed by absolute position, so chunks
 * give exactly the unchunked result; a token-recurrent layer carries its last position's counts
 * from one chunk into the next. Long runs are flushed to the device between chunks.
 */
export function recordPositional<Tensor, NeuronLayer>(walk: Walk<Tensor, NeuronLayer>): Tensor {
  const { ops, section, rows, dim, B, ann, numSteps, positions, inputSteps } = walk;
  const C = section.channels;
  const inputRows = inputSteps * B;
  const chunks = positionChunks(section, walk.batch.tokens, walk.options.maxChunkPositions);
  const maxTokens = Math.max(...chunks.map((c) => c.tokenEnd - c.tokenStart));
  const maxPositions = maxTokens - section.minWidth + 1;
  // A recorded tensor gets a buffer per chunk (read back at the end); the others serve every chunk.
  const sharedEncoded = walk.recordsInput() ? null : ops.allocate('encoded', inputRows * maxTokens * dim);
  const convOut = section.conv ? ops.allocate('conv', inputRows * maxPositions * C) : null;
  const pooled = ops.allocate('pooled', rows * C);
  const sharedSpikes = section.neurons.map(({ layer }) =>
    walk.recordsSpikes(layer.name) ? null : ops.allocate(`${layer.name}.spikes`, rows * maxPositions * C),
  );
  const traces = section.neurons.map(({ layer }) => walk.membraneTraces(layer.name, neuronParams(neuronSpecOf(layer), C, walk.options.neurons), C));
  // Counts of each sample's last position so far, per token-recurrent layer, from chunk to chunk.
  const carries = section.neurons.map(({ layer }) => (layer.kind === 'token-recurrent' ? ops.allocate(`${layer.name}.carry`, B * C) : null));
  for (const { layer, index } of section.neurons) {
    if (walk.recordsSpikes(layer.name)) {
      walk.out.spikeTrains.set(layer.name, {
        positions,
        channels: C,
        samples: range(B).map(() => new Float32Array(numSteps * positions * C)),
      });
    }
    if (!ann) walk.out.layerEvents.set(index, new Float32Array(B * positions));
  }
  if (walk.recordsInput()) walk.out.inputTrain = range(B).map(() => new Float32Array(numSteps * walk.batch.tokens * dim));

  chunks.forEach((chunk, chunkIndex) => {
    const tokens = chunk.tokenEnd - chunk.tokenStart;
    const chunkPositions = tokens - section.minWidth + 1;
    const inputs = chunkInputs(walk, chunk, chunkIndex);
    const encoded = sharedEncoded ?? ops.allocate(`chunk${chunkIndex}.encoded`, inputRows * tokens * dim);
    const spikeTensors = section.neurons.map(
      ({ layer }, i) => sharedSpikes[i] ?? ops.allocate(`chunk${chunkIndex}.${layer.name}.spikes`, rows * chunkPositions * C),
    );
    const membraneTensors = section.neurons.map((_, i) =>
      traces[i].length > 0 ? ops.allocate(`chunk${chunkIndex}.membrane${i}`, rows * chunkPositions * C) : undefined,
    );
    const layerStates = section.neurons.map(({ layer }) =>
      ops.neuronLayer(`chunk${chunkIndex}.${layer.name}`, neuronParams(neuronSpecOf(layer), C, walk.options.neurons), B * chunkPositions * C),
    );

    for (const [tStart, tCount] of walk.ranges) {
      ops.encode({
        kind: walk.encoding,
        seed: walk.options.seed,
        shape: { numSteps: inputSteps, batch: B, tokens, dim },
        tStart: walk.staticInput ? 0 : tStart,
        tCount: walk.staticInput ? 1 : tCount,
        positionOffset: chunk.tokenStart,
        tokenIds: inputs.tokenIds,
        probabilities: walk.model.probabilities,
        streamIds: inputs.streamIds,
        output: encoded,
        firstStepOnly: walk.spec.encoder.presentation === 'first-step',
      });
      let current = encoded;
      const rowStart = tStart * B;
      const rowCount = tCount * B;
      if (section.conv && convOut) {
        const conv = section.conv;
        ops.conv({
          shape: { rows: inputRows, batch: B, tokens, inChannels: dim, widths: conv.widths, filters: conv.filters },
          rowStart: walk.staticInput ? 0 : rowStart,
          rowCount: walk.staticInput ? B : rowCount,
          input: encoded,
          weights: walk.weight(`${conv.name}.weight`),
          bias: walk.optionalWeight(`${conv.name}.bias`, conv.bias),
          lengths: inputs.lengths,
          output: convOut,
        });
        current = convOut;
      }
      section.neurons.forEach(({ layer }, i) => {
        if (layer.kind === 'token-recurrent') {
          ops.tokenRecurrent({
            numSteps,
            batch: B,
            positions: chunkPositions,
            hidden: C,
            params: neuronParams(layer.neuron, C, walk.options.neurons),
            x: current,
            xBroadcast: walk.staticInput && i === 0,
            recurrentWeights: walk.weight(`${layer.name}.recurrentWeight`),
            validPositions: inputs.sequenceValid,
            carry: carries[i]!,
            continues: chunkIndex > 0,
            spikes: spikeTensors[i],
            layer: layerStates[i],
            membrane: membraneTensors[i],
            activation: ann ? layer.neuron.ann : undefined,
          });
        } else if (ann) {
          ops.activation({ count: rows * chunkPositions * C, activation: layer.ann, input: current, output: spikeTensors[i] });
        } else {
          ops.neuron({
            params: neuronParams(layer, C, walk.options.neurons),
            neurons: B * chunkPositions * C,
            tStart,
            tCount,
            x: current,
            spikes: spikeTensors[i],
            layer: layerStates[i],
            membrane: membraneTensors[i],
            xBroadcast: walk.staticInput && i === 0,
          });
        }
        current = spikeTensors[i];
      });
      ops.poolSum({
        shape: { rows, batch: B, positions: chunkPositions, channels: C },
        rowStart,
        rowCount,
        input: current,
        validPositions: inputs.validPositions,
        output: pooled,
        accumulate: chunkIndex > 0,
      });
    }
    if (!ann) recordChunkReadbacks(walk, chunk, chunkIndex === chunks.length - 1, encoded, spikeTensors, membraneTensors, traces);
    if (chunks.length > 1) ops.flush();
  });
  return pooled;
}

/** The per-chunk inputs: token ids, lengths and valid positions relative to the chunk's first token. */
function chunkInputs<Tensor, NeuronLayer>(walk: Walk<Tensor, NeuronLayer>, chunk: PositionChunk, chunkIndex: number) {
  const { B, batch, ops } = walk;
  const C = walk.section.channels;
  const widths = channelWidths(walk.section);
  const tokens = chunk.tokenEnd - chunk.tokenStart;
  const owned = chunk.end - chunk.start;
  const lengths = Uint32Array.from(batch.lengths, (length) => Math.max(0, Math.min(tokens, length - chunk.tokenStart)));
  const tokenIds = new Int32Array(B * tokens);
  for (let b = 0; b < B; b++) {
    tokenIds.set(batch.tokenIds.subarray(b * batch.tokens + chunk.tokenStart, b * batch.tokens + chunk.tokenEnd), b * tokens);
  }
  const validPositions = new Uint32Array(B * C);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) validPositions[b * C + c] = Math.max(0, Math.min(owned, lengths[b] - widths[c] + 1));
  }
  // Token-recurrent layers (one convolution width): the positions of each sample that run.
  const sequenceValid = Uint32Array.from(lengths, (length) => Math.max(0, Math.min(owned, length - walk.section.minWidth + 1)));
  return {
    sequenceValid: ops.upload(`chunk${chunkIndex}.sequenceValid`, sequenceValid),
    tokenIds: ops.upload(`chunk${chunkIndex}.tokenIds`, tokenIds),
    lengths: ops.upload(`chunk${chunkIndex}.lengths`, lengths),
    streamIds: ops.upload(`chunk${chunkIndex}.streamIds`, batch.streamIds),
    validPositions: ops.upload(`chunk${chunkIndex}.validPositions`, validPositions),
  };
}

/**
 * Spike events per position (the encoder's over the tokens this chunk owns, each layer's over its
 * positions), and the recorded spike trains and membrane traces, placed at the chunk's positions.
 */
function recordChunkReadbacks<Tensor, NeuronLayer>(
  walk: Walk<Tensor, NeuronLayer>,
  chunk: PositionChunk,
  lastChunk: boolean,
  encoded: Tensor,
  spikeTensors: Tensor[],
  membraneTensors: (Tensor | undefined)[],
  traces: Walk<Tensor, NeuronLayer>['out']['membrane'][],
): void {
  const { ops, B, rows, dim, numSteps, section, positions, out, readbacks, batch } = walk;
  const C = section.channels;
  const tokens = chunk.tokenEnd - chunk.tokenStart;
  const chunkPositions = tokens - section.minWidth + 1;
  const owned = chunk.end - chunk.start;
  const ownedTokens = lastChunk ? tokens : owned;
  // A static input was computed for one step and holds for all of them.
  const { inputSteps } = walk;
  const repeat = numSteps / inputSteps;
  const inputEvents = ops.allocate(`chunk${chunk.start}.inputEvents`, B * tokens);
  ops.countEvents({ numSteps: inputSteps, batch: B, positions: tokens, channels: dim, input: encoded, output: inputEvents });
  readbacks.push({
    tensor: inputEvents,
    length: B * tokens,
    consume: (data) =>
      copyPositions(repeat === 1 ? data : data.map((events) => events * repeat), B, tokens, ownedTokens, out.inputEvents, batch.tokens, chunk.tokenStart, 1),
  });
  if (out.inputTrain) {
    readbacks.push({
      tensor: encoded,
      length: inputSteps * B * tokens * dim,
      consume: (data) => {
        const steps = repeat === 1 ? data : repeatSteps(data, numSteps);
        splitSamples(steps, numSteps, B, tokens * dim).forEach((sample, b) =>
          copyPositions(sample, numSteps, tokens, ownedTokens, out.inputTrain![b], batch.tokens, chunk.tokenStart, dim),
        );
      },
    });
  }
  section.neurons.forEach(({ layer, index }, i) => {
    const events = ops.allocate(`chunk${chunk.start}.${layer.name}.events`, B * chunkPositions);
    ops.countEvents({ numSteps, batch: B, positions: chunkPositions, channels: C, input: spikeTensors[i], output: events });
    readbacks.push({
      tensor: events,
      length: B * chunkPositions,
      consume: (data) => copyPositions(data, B, chunkPositions, owned, out.layerEvents.get(index)!, positions, chunk.start, 1),
    });
    const train = out.spikeTrains.get(layer.name);
    if (train) {
      readbacks.push({
        tensor: spikeTensors[i],
        length: rows * chunkPositions * C,
        consume: (data) =>
          splitSamples(data, numSteps, B, chunkPositions * C).forEach((sample, b) =>
            copyPositions(sample, numSteps, chunkPositions, owned, train.samples[b], positions, chunk.start, C),
          ),
      });
    }
    const membrane = membraneTensors[i];
    if (!membrane) return;
    readbacks.push({
      tensor: membrane,
      length: rows * chunkPositions * C,
      consume: (data) => {
        for (const trace of traces[i]) {
          const position = Math.floor(trace.neuron / C) - chunk.start;
          if (position < 0 || position >= owned) continue;
          const local = position * C + (trace.neuron % C);
          for (let b = 0; b < B; b++) {
            for (let t = 0; t < numSteps; t++) trace.samples[b][t] = data[(t * B + b) * chunkPositions * C + local];
          }
        }
      },
    });
  });
}

/** One step of a tensor repeated `numSteps` times (a static input seen at every step). */
function repeatSteps(step: Float32Array, numSteps: number): Float32Array {
  const out = new Float32Array(step.length * numSteps);
  for (let t = 0; t < numSteps; t++) out.set(step, t * step.length);
  return out;
}
