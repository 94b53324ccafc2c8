/**
 * The input of `spikescope nir run`: a CSV without a header, one row per time step, one column per
 * element of the graph's input (flattened row-major). Sizes are checked before anything is allocated.
 */
import { MAX_NIR_STEPS } from './compile';
import { NirFormatError } from './types';

/** The most values an input file may hold. */
export const MAX_NIR_INPUT_VALUES = 64 * 1024 * 1024;

/** Parses `text` into `[steps][columns]` float32 values. */
export function parseNirInputCsv(text: string, columns: number, fileName = 'the input'): { steps: number; values: Float32Array } {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const steps = lines.length;
  if (steps === 0) throw new NirFormatError(`${fileName} is empty: it needs one row per time step`);
  if (steps > MAX_NIR_STEPS) throw new NirFormatError(`${fileName} has ${steps} rows, above the limit of ${MAX_NIR_STEPS} steps`);
  if (steps * columns > MAX_NIR_INPUT_VALUES) throw new NirFormatError(`${fileName} would hold ${steps * columns} values, above the limit of ${MAX_NIR_INPUT_VALUES}`);
  const values = new Float32Array(steps * columns);
  for (let t = 0; t < steps; t++) {
    const cells = lines[t].split(',');
    if (cells.length !== columns) {
      throw new NirFormatError(`${fileName}, line ${t + 1}: ${cells.length} column${cells.length === 1 ? '' : 's'}, but the graph's input has ${columns} elements`);
    }
    for (let c = 0; c < columns; c++) {
      const cell = cells[c].trim();
      const x = Number(cell);
      if (cell === '' || !Number.isFinite(x)) {
        throw new NirFormatError(`${fileName}, line ${t + 1}, column ${c + 1}: '${cell.slice(0, 20)}' is not a number${t === 0 ? ' (the file has no header row)' : ''}`);
      }
      values[t * columns + c] = x;
    }
  }
  return { steps, values };
}

/** The shortest decimal that reads back as the same float32. */
export function float32Text(x: number): string {
  if (x === 0) return '0';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  for (let p = 6; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(Number(x.toPrecision(9)));
}
