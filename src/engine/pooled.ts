import { channelWidths } from './batch';
import { neuronParams, splitSamples, type Walk } from './walk';

/**
 * Records the layers after the pool (scale for averages, linear, neuron and recurrent layers) over
 * `[T·batch][channels]` tensors, then the readout. Registers the readbacks of their spike events,
 * recorded trains and membrane traces, the scores and the output train.
 */
export function recordPooled<Tensor, NeuronLayer>(walk: Walk<Tensor, NeuronLayer>, pooled: Tensor): void {
  const { ops, section, rows, B, ann, numSteps, spec, out, readbacks } = walk;
  const C = section.channels;
  const widths = channelWidths(section);
  // Averages divide once, after all chunks, by the count of valid positions: exact on both backends.
  const poolScale = new Float32Array(B * C);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const count = Math.max(0, walk.batch.lengths[b] - widths[c] + 1);
      poolScale[b * C + c] = section.pool.mode === 'sum' ? 1 : count > 0 ? Math.fround(1 / count) : 0;
    }
  }
  const poolScaleTensor = ops.upload('pool.scale', poolScale);
  const layers = spec.layers.slice(section.poolIndex + 1).map((layer, i) => ({ layer, index: section.poolIndex + 1 + i }));
  let channels = C;
  const tensors = layers.map(({ layer }) => {
    if (layer.kind === 'linear') channels = layer.outFeatures;
    if (layer.kind === 'recurrent') channels = layer.hidden;
    const neuronSpec = layer.kind === 'neuron' ? layer : layer.kind === 'recurrent' ? layer.neuron : null;
    const params = neuronSpec ? neuronParams(neuronSpec, channels, walk.options.neurons) : null;
    const traces = params ? walk.membraneTraces(layer.name, params, channels) : [];
    return {
      channels,
      output: ops.allocate(`${layer.name}.output`, rows * channels),
      inputCurrent: layer.kind === 'recurrent' ? ops.allocate(`${layer.name}.inputCurrent`, rows * channels) : null,
      params,
      state: params ? ops.neuronLayer(layer.name, params, B * channels) : null,
      traces,
      membrane: traces.length > 0 ? ops.allocate(`${layer.name}.membrane`, rows * channels) : undefined,
    };
  });

  for (const [tStart, tCount] of walk.ranges) {
    const rowStart = tStart * B;
    const rowCount = tCount * B;
    ops.scaleRows({ rows, rowStart, rowCount, batch: B, channels: C, values: pooled, scale: poolScaleTensor });
    let current = pooled;
    layers.forEach(({ layer }, i) => {
      const t = tensors[i];
      if (layer.kind === 'linear') {
        ops.linear({
          rows,
          rowStart,
          rowCount,
          inFeatures: layer.inFeatures,
          outFeatures: layer.outFeatures,
          input: current,
          weights: walk.weight(`${layer.name}.weight`),
          bias: walk.optionalWeight(`${layer.name}.bias`, layer.bias),
          output: t.output,
        });
      } else if (layer.kind === 'neuron') {
        if (ann) ops.activation({ count: rows * t.channels, activation: layer.ann, input: current, output: t.output });
        else {
          ops.neuron({
            params: t.params!,
            neurons: B * t.channels,
            tStart,
            tCount,
            x: current,
            spikes: t.output,
            layer: t.state!,
            membrane: t.membrane,
          });
        }
      } else if (layer.kind === 'recurrent') {
        ops.linear({
          rows,
          rowStart,
          rowCount,
          inFeatures: layer.inFeatures,
          outFeatures: layer.hidden,
          input: current,
          weights: walk.weight(`${layer.name}.inputWeight`),
          bias: walk.optionalWeight(`${layer.name}.bias`, layer.bias),
          output: t.inputCurrent!,
        });
        ops.recurrent({
          numSteps,
          tStart,
          tCount,
          batch: B,
          hidden: layer.hidden,
          params: t.params!,
          inputCurrent: t.inputCurrent!,
          recurrentWeights: walk.weight(`${layer.name}.recurrentWeight`),
          spikes: t.output,
          layer: t.state!,
          membrane: t.membrane,
          activation: ann ? layer.neuron.ann : undefined,
        });
      } else {
        throw new Error(`Layer ${layer.name} (${layer.kind}) cannot follow the pool.`);
      }
      current = t.output;
    });
  }

  layers.forEach(({ layer, index }, i) => {
    if (ann || (layer.kind !== 'neuron' && layer.kind !== 'recurrent')) return;
    const t = tensors[i];
    const events = ops.allocate(`${layer.name}.events`, B);
    ops.countEvents({ numSteps, batch: B, positions: 1, channels: t.channels, input: t.output, output: events });
    readbacks.push({ tensor: events, length: B, consume: (data) => out.layerEvents.set(index, data) });
    if (walk.recordsSpikes(layer.name)) {
      readbacks.push({
        tensor: t.output,
        length: rows * t.channels,
        consume: (data) =>
          out.spikeTrains.set(layer.name, { positions: 1, channels: t.channels, samples: splitSamples(data, numSteps, B, t.channels) }),
      });
    }
    if (t.membrane) {
      readbacks.push({
        tensor: t.membrane,
        length: rows * t.channels,
        consume: (data) => {
          for (const trace of t.traces) {
            for (let b = 0; b < B; b++) {
              for (let step = 0; step < numSteps; step++) trace.samples[b][step] = data[(step * B + b) * t.channels + trace.neuron];
            }
          }
        },
      });
    }
  });

  const classes = spec.readout.classes.length;
  const last = tensors.length > 0 ? tensors[tensors.length - 1] : { output: pooled, channels: C };
  const scores = ops.allocate('readout.scores', B * classes);
  ops.readout({ numSteps, batch: B, classes, population: spec.readout.population, input: last.output, output: scores });
  readbacks.push({ tensor: scores, length: B * classes, consume: (data) => (out.scores = data) });
  readbacks.push({ tensor: last.output, length: rows * last.channels, consume: (data) => (out.outputTrain = data) });
}
