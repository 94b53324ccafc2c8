/**
 * The visible window of a spike raster (neurons down, time steps across) and how zooming and
 * panning move it. Spans are fractional so that zooming about the pointer is smooth; the window
 * never leaves the data and never shrinks below a few rows or steps. Pure.
 */

/** Rows `[row0, row0 + rowSpan)` and steps `[step0, step0 + stepSpan)` are visible. */
export interface RasterView {
  row0: number;
  rowSpan: number;
  step0: number;
  stepSpan: number;
}

/** The size of the data under the view. */
export interface RasterExtent {
  rows: number;
  steps: number;
}

const MIN_ROWS = 4;
const MIN_STEPS = 2;

/** The whole raster. */
export function fullView(extent: RasterExtent): RasterView {
  return { row0: 0, rowSpan: Math.max(1, extent.rows), step0: 0, stepSpan: Math.max(1, extent.steps) };
}

function clampAxis(start: number, span: number, total: number, minimum: number): [number, number] {
  const full = Math.max(1, total);
  const clampedSpan = Math.min(full, Math.max(Math.min(minimum, full), span));
  const clampedStart = Math.min(full - clampedSpan, Math.max(0, start));
  return [clampedStart, clampedSpan];
}

/** Keeps a view inside the data and above the minimum spans. */
export function clampView(view: RasterView, extent: RasterExtent): RasterView {
  const [row0, rowSpan] = clampAxis(view.row0, view.rowSpan, extent.rows, MIN_ROWS);
  const [step0, stepSpan] = clampAxis(view.step0, view.stepSpan, extent.steps, MIN_STEPS);
  return { row0, rowSpan, step0, stepSpan };
}

/**
 * Zooms one axis by `factor` (< 1 zooms in) keeping the point at `anchor` (0 = top / left edge,
 * 1 = bottom / right edge of the view) where it is.
 */
export function zoomView(view: RasterView, axis: 'rows' | 'steps', factor: number, anchor: number, extent: RasterExtent): RasterView {
  if (axis === 'rows') {
    const pivot = view.row0 + anchor * view.rowSpan;
    const rowSpan = view.rowSpan * factor;
    return clampView({ ...view, row0: pivot - anchor * rowSpan, rowSpan }, extent);
  }
  const pivot = view.step0 + anchor * view.stepSpan;
  const stepSpan = view.stepSpan * factor;
  return clampView({ ...view, step0: pivot - anchor * stepSpan, stepSpan }, extent);
}

/** Moves the view by a number of rows and steps. */
export function panView(view: RasterView, rows: number, steps: number, extent: RasterExtent): RasterView {
  return clampView({ ...view, row0: view.row0 + rows, step0: view.step0 + steps }, extent);
}

/** Shows row `row` (and step `step`) if it is outside the view, moving as little as possible. */
export function revealCell(view: RasterView, row: number, step: number, extent: RasterExtent): RasterView {
  let { row0, step0 } = view;
  if (row < row0) row0 = row;
  else if (row + 1 > row0 + view.rowSpan) row0 = row + 1 - view.rowSpan;
  if (step < step0) step0 = step;
  else if (step + 1 > step0 + view.stepSpan) step0 = step + 1 - view.stepSpan;
  return clampView({ ...view, row0, step0 }, extent);
}

/**
 * Which data to draw for a plot of `width` × `height` pixels: whole rows and steps covering the
 * view, grouped into bins of several rows (or steps) when there are more than pixels, so that a
 * raster of millions of neurons draws no more bins than the plot has pixels.
 */
export interface BinPlan {
  rowStart: number;
  rowEnd: number;
  rowsPerBin: number;
  stepStart: number;
  stepEnd: number;
  stepsPerBin: number;
}

/** The bins for a view and a plot size in device pixels. */
export function planBins(view: RasterView, width: number, height: number, extent: RasterExtent): BinPlan {
  const rowStart = Math.max(0, Math.floor(view.row0));
  const rowEnd = Math.min(extent.rows, Math.ceil(view.row0 + view.rowSpan));
  const stepStart = Math.max(0, Math.floor(view.step0));
  const stepEnd = Math.min(extent.steps, Math.ceil(view.step0 + view.stepSpan));
  return {
    rowStart,
    rowEnd,
    rowsPerBin: Math.max(1, Math.ceil(view.rowSpan / Math.max(1, height))),
    stepStart,
    stepEnd,
    stepsPerBin: Math.max(1, Math.ceil(view.stepSpan / Math.max(1, width))),
  };
}

/** The row and step under a point of the plot (fractions 0..1 of its width and height). */
export function cellAt(view: RasterView, xFraction: number, yFraction: number, extent: RasterExtent): { row: number; step: number } | null {
  const row = Math.floor(view.row0 + yFraction * view.rowSpan);
  const step = Math.floor(view.step0 + xFraction * view.stepSpan);
  if (row < 0 || row >= extent.rows || step < 0 || step >= extent.steps) return null;
  return { row, step };
}
