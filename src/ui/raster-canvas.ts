/**
 * Draws a spike raster on a 2-D canvas: the binned spike image (`rasterImage`) scaled into the plot
 * with nearest-neighbour sampling, position groups separated and labelled by their token in the
 * left gutter, the time axis below, the selected neuron and the keyboard cursor outlined.
 * The number of bins never exceeds the plot's pixels, so drawing costs the same for 100 or
 * 10 million neurons (the binning pass reads each visible cell once).
 */
import { maskedRows, positionToken, rasterImage, type RasterContext, type RasterTrain } from './raster-layout';
import { planBins, type RasterView } from './raster-view';

/** Where the plot sits inside the canvas, in CSS pixels. */
export interface RasterGeometry {
  width: number;
  height: number;
  gutter: number;
  axis: number;
}


const LABEL_FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif';

/** Every how many position groups the gutter names a word: each label needs 14 pixels. */
export function labelEvery(groupHeight: number): number {
  return Math.max(1, Math.ceil(14 / Math.max(groupHeight, 1e-6)));
}

/** The layout of a canvas of `width` × `height` CSS pixels: a narrower label column on a narrow screen. */
export function rasterGeometry(width: number, height: number): RasterGeometry {
  return { width, height, gutter: width < 520 ? 76 : 104, axis: 22 };
}

/** The plot's size inside the geometry (right margin 8 px). */
export function plotSize(geometry: RasterGeometry): { plotWidth: number; plotHeight: number } {
  return { plotWidth: Math.max(1, geometry.width - geometry.gutter - 8), plotHeight: Math.max(1, geometry.height - geometry.axis) };
}

/** A step spacing of 1, 2 or 5 × 10^k giving ticks at least `minimumPixels` apart. */
function tickStep(pixelsPerStep: number, minimumPixels: number): number {
  for (let power = 1; ; power *= 10) {
    for (const base of [1, 2, 5]) if (base * power * pixelsPerStep >= minimumPixels) return base * power;
  }
}

/** Draws the whole raster. `dpr` is the device pixel ratio the canvas was sized with. */
export function drawRaster(
  canvas: HTMLCanvasElement,
  train: RasterTrain,
  context: RasterContext,
  view: RasterView,
  geometry: RasterGeometry,
  dpr: number,
  marks: { selected: number | null; cursor: { row: number; step: number } | null; word?: number | null; step?: number | null },
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height, gutter } = geometry;
  const { plotWidth, plotHeight } = plotSize(geometry);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(gutter, 0, plotWidth, plotHeight);
  const extent = { rows: train.positions * train.channels, steps: train.numSteps };
  const pixelsPerRow = plotHeight / view.rowSpan;
  const pixelsPerStep = plotWidth / view.stepSpan;
  const rowY = (row: number) => (row - view.row0) * pixelsPerRow;
  const stepX = (step: number) => gutter + (step - view.step0) * pixelsPerStep;

  ctx.save();
  ctx.beginPath();
  ctx.rect(gutter, 0, plotWidth, plotHeight);
  ctx.clip();
  // Light grid between steps when they are wide enough to tell apart.
  if (pixelsPerStep >= 6) {
    ctx.strokeStyle = '#eef0f4';
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let step = Math.ceil(view.step0); step <= view.step0 + view.stepSpan; step++) {
      const x = Math.round(stepX(step)) + 0.5;
      ctx.moveTo(x, 0);
      ctx.lineTo(x, plotHeight);
    }
    ctx.stroke();
  }
  const plan = planBins(view, plotWidth * dpr, plotHeight * dpr, extent);
  const image = rasterImage(train, plan, maskedRows(train, context));
  if (image.width > 0 && image.height > 0) {
    const bitmap = document.createElement('canvas');
    bitmap.width = image.width;
    bitmap.height = image.height;
    bitmap.getContext('2d')!.putImageData(new ImageData(image.rgba as Uint8ClampedArray<ArrayBuffer>, image.width, image.height), 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(bitmap, stepX(plan.stepStart), rowY(plan.rowStart), image.width * plan.stepsPerBin * pixelsPerStep, image.height * plan.rowsPerBin * pixelsPerRow);
  }
  // Position groups: separators when a group is a few pixels tall.
  const groupHeight = train.channels * pixelsPerRow;
  const firstGroup = Math.floor(view.row0 / train.channels);
  const lastGroup = Math.min(train.positions - 1, Math.floor((view.row0 + view.rowSpan) / train.channels));
  if (train.positions > 1 && groupHeight >= 4) {
    ctx.strokeStyle = 'rgba(26, 32, 48, 0.14)';
    ctx.beginPath();
    for (let group = firstGroup + 1; group <= lastGroup; group++) {
      const y = Math.round(rowY(group * train.channels)) + 0.5;
      ctx.moveTo(gutter, y);
      ctx.lineTo(gutter + plotWidth, y);
    }
    ctx.stroke();
  }
  const outline = (row: number, colour: string, step: number | null) => {
    const y = rowY(row);
    const h = Math.max(2, pixelsPerRow);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    if (step === null) ctx.strokeRect(gutter + 0.75, y - 0.25, plotWidth - 1.5, h + 0.5);
    else ctx.strokeRect(stepX(step) + 0.75, y - 0.25, Math.max(2, pixelsPerStep) - 1.5, h + 0.5);
  };
  // The word a person points at in the text: its rows, shaded.
  if (marks.word !== undefined && marks.word !== null && train.positions > 1 && marks.word < train.positions) {
    const top = rowY(marks.word * train.channels);
    ctx.fillStyle = 'rgba(232, 89, 12, 0.14)';
    ctx.fillRect(gutter, top, plotWidth, Math.max(2, train.channels * pixelsPerRow));
  }
  if (marks.selected !== null && marks.selected < extent.rows) outline(marks.selected, '#e8590c', null);
  // The time scrubber's step: the steps after it are dimmed, its right edge marked.
  if (marks.step !== undefined && marks.step !== null && marks.step < extent.steps) {
    const edge = stepX(marks.step + 1);
    ctx.fillStyle = 'rgba(255, 255, 255, 0.7)';
    ctx.fillRect(edge, 0, gutter + plotWidth - edge, plotHeight);
    ctx.strokeStyle = '#e8590c';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(edge, 0);
    ctx.lineTo(edge, plotHeight);
    ctx.stroke();
  }
  if (marks.cursor) outline(marks.cursor.row, '#1a2030', marks.cursor.step);
  ctx.restore();

  // Gutter: token labels per position group, or neuron labels for flat layers.
  ctx.font = LABEL_FONT;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  ctx.fillStyle = '#5b6476';
  const labelRoom = gutter - 10;
  const fit = (text: string) => {
    if (ctx.measureText(text).width <= labelRoom) return text;
    let cut = text;
    while (cut.length > 1 && ctx.measureText(`${cut}…`).width > labelRoom) cut = cut.slice(0, -1);
    return `${cut}…`;
  };
  if (train.positions > 1) {
    const every = labelEvery(groupHeight);
    for (let group = Math.ceil(firstGroup / every) * every; group <= lastGroup; group += every) {
      const top = Math.max(0, rowY(group * train.channels));
      const bottom = Math.min(plotHeight, rowY((group + 1) * train.channels));
      if (bottom - top < 1 && every === 1) continue;
      const y = groupHeight >= 14 ? (top + bottom) / 2 : rowY(group * train.channels) + 6;
      if (y < 5 || y > plotHeight - 4) continue;
      ctx.fillText(fit(`${group + 1} ${positionToken(group, context)}`), gutter - 6, y);
    }
  } else if (pixelsPerRow >= 12 && train.role === 'output') {
    const population = Math.max(1, context.population);
    for (let row = Math.floor(view.row0); row < Math.min(extent.rows, view.row0 + view.rowSpan); row++) {
      ctx.fillText(fit(context.classes[Math.floor(row / population)] ?? `unit ${row + 1}`), gutter - 6, rowY(row) + pixelsPerRow / 2);
    }
  } else if (pixelsPerRow >= 12) {
    for (let row = Math.floor(view.row0); row < Math.min(extent.rows, view.row0 + view.rowSpan); row++) {
      ctx.fillText(`unit ${row + 1}`, gutter - 6, rowY(row) + pixelsPerRow / 2);
    }
  }

  // Time axis.
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.strokeStyle = '#c5cbd6';
  ctx.beginPath();
  ctx.moveTo(gutter, plotHeight + 0.5);
  ctx.lineTo(gutter + plotWidth, plotHeight + 0.5);
  ctx.stroke();
  const every = tickStep(pixelsPerStep, 36);
  for (let step = Math.ceil(view.step0 / every) * every; step < view.step0 + view.stepSpan; step += every) {
    const x = stepX(step + 0.5);
    if (x < gutter || x > gutter + plotWidth) continue;
    ctx.fillText(String(step + 1), x, plotHeight + 5);
  }
  ctx.textAlign = 'right';
  ctx.fillText('step t', gutter - 6, plotHeight + 5);
}
