import { convBiasName, convWeightName, type NetworkSpec } from '../model/spec';

/**
 * The weight tensors in the layout the kernels read: a convolution's branches concatenated into
 * `<name>.weight` (`[branch][filters][width][inChannels]`) and `<name>.bias`; other tensors as stored.
 */
export function kernelWeights(spec: NetworkSpec, weights: Map<string, Float32Array>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const layer of spec.layers) {
    if (layer.kind === 'conv') {
      out.set(`${layer.name}.weight`, concat(layer.widths.map((_, branch) => required(weights, convWeightName(layer, branch)))));
      if (layer.bias) out.set(`${layer.name}.bias`, concat(layer.widths.map((_, branch) => required(weights, convBiasName(layer, branch)))));
    } else if (layer.kind === 'linear') {
      out.set(`${layer.name}.weight`, required(weights, `${layer.name}.weight`));
      if (layer.bias) out.set(`${layer.name}.bias`, required(weights, `${layer.name}.bias`));
    } else if (layer.kind === 'recurrent') {
      out.set(`${layer.name}.inputWeight`, required(weights, `${layer.name}.inputWeight`));
      out.set(`${layer.name}.recurrentWeight`, required(weights, `${layer.name}.recurrentWeight`));
      if (layer.bias) out.set(`${layer.name}.bias`, required(weights, `${layer.name}.bias`));
    } else if (layer.kind === 'token-recurrent') {
      out.set(`${layer.name}.recurrentWeight`, required(weights, `${layer.name}.recurrentWeight`));
    }
  }
  return out;
}

function required(weights: Map<string, Float32Array>, name: string): Float32Array {
  const tensor = weights.get(name);
  if (!tensor) throw new Error(`The model has no weight tensor ${name}.`);
  return tensor;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
