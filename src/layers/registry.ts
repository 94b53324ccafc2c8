/**
 * The table of layer kinds: `kind` in model.json → its module. Adding a kind is its module, its
 * kernel and twin, and one line here (architecture §6).
 */
import { conv } from './conv';
import { linear } from './linear';
import { lstm } from './lstm';
import { add, concat } from './merge';
import { neuron, sequenceNeuron } from './neuron';
import { pool } from './pool';
import { recurrent } from './recurrent';
import { tokenRecurrent } from './token-recurrent';
import type { LayerModule, LayerSpecBase } from './types';

const MODULES = [conv, neuron, sequenceNeuron, pool, linear, recurrent, tokenRecurrent, lstm, concat, add] as const;

/** The kinds model.json may name. */
export const LAYER_KINDS = MODULES.map((module) => module.kind);

const byKind = new Map<string, LayerModule<LayerSpecBase>>(MODULES.map((module) => [module.kind, module as unknown as LayerModule<LayerSpecBase>]));

/** The module of a kind; throws for a kind no module has. */
export function layerModule(kind: string): LayerModule<LayerSpecBase> {
  const module = byKind.get(kind);
  if (!module) throw new Error(`No layer kind '${kind}'; the kinds are ${LAYER_KINDS.join(', ')}.`);
  return module;
}

/** Layers whose neurons spike (the readout, rasters and energy count their events). */
export function isSpikingKind(kind: string): boolean {
  return byKind.get(kind)?.neuron !== undefined;
}
