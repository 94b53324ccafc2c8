import { describe, expect, it } from 'vitest';
import { cellAt, clampView, fullView, panView, planBins, revealCell, zoomView } from './raster-view';

const extent = { rows: 1000, steps: 16 };

describe('raster view', () => {
  it('starts with the whole raster', () => {
    expect(fullView(extent)).toEqual({ row0: 0, rowSpan: 1000, step0: 0, stepSpan: 16 });
  });

  it('zooms about the anchor, keeping the point under it in place', () => {
    const zoomed = zoomView(fullView(extent), 'rows', 0.5, 0.5, extent);
    expect(zoomed.rowSpan).toBe(500);
    expect(zoomed.row0 + 0.5 * zoomed.rowSpan).toBeCloseTo(500);
    const timeZoomed = zoomView(fullView(extent), 'steps', 0.25, 0, extent);
    expect(timeZoomed).toMatchObject({ step0: 0, stepSpan: 4 });
  });

  it('never zooms out past the data or in below a few rows, and pans within it', () => {
    expect(zoomView(fullView(extent), 'rows', 3, 0.5, extent)).toEqual(fullView(extent));
    expect(zoomView(fullView(extent), 'rows', 1e-6, 0.5, extent).rowSpan).toBe(4);
    const panned = panView({ row0: 0, rowSpan: 100, step0: 0, stepSpan: 8 }, 5000, 100, extent);
    expect(panned).toEqual({ row0: 900, rowSpan: 100, step0: 8, stepSpan: 8 });
    expect(clampView({ row0: -5, rowSpan: 10, step0: -1, stepSpan: 1 }, { rows: 2, steps: 1 })).toEqual({ row0: 0, rowSpan: 2, step0: 0, stepSpan: 1 });
  });

  it('bins rows when there are more rows than pixels', () => {
    const plan = planBins(fullView(extent), 800, 300, extent);
    expect(plan).toEqual({ rowStart: 0, rowEnd: 1000, rowsPerBin: 4, stepStart: 0, stepEnd: 16, stepsPerBin: 1 });
    const close = planBins({ row0: 10.5, rowSpan: 20, step0: 2.2, stepSpan: 4 }, 800, 300, extent);
    expect(close).toMatchObject({ rowStart: 10, rowEnd: 31, rowsPerBin: 1, stepStart: 2, stepEnd: 7 });
  });

  it('finds the cell under the pointer and reveals a cell outside the view', () => {
    expect(cellAt({ row0: 100, rowSpan: 10, step0: 0, stepSpan: 16 }, 0.5, 0.95, extent)).toEqual({ row: 109, step: 8 });
    expect(cellAt(fullView(extent), 1.2, 0.5, extent)).toBeNull();
    expect(revealCell({ row0: 0, rowSpan: 10, step0: 0, stepSpan: 4 }, 12, 5, extent)).toEqual({ row0: 3, rowSpan: 10, step0: 2, stepSpan: 4 });
  });
});
