/**
 * The look shared by every element: system font, a neutral palette with one accent, and the
 * styles of panels, buttons and form fields. Colours are CSS custom properties set on the app's
 * host, so they reach every shadow root.
 */
import { css } from 'lit';

/** Custom properties of the palette; applied by `snn-app` on its host. */
export const paletteStyles = css`
  :host {
    --snn-bg: #f4f5f7;
    --snn-surface: #ffffff;
    --snn-border: #dfe3ea;
    --snn-border-strong: #c5cbd6;
    --snn-text: #1a2030;
    --snn-muted: #5b6476;
    --snn-faint: #8a92a3;
    --snn-accent: #2b4bb0;
    --snn-accent-soft: #e8edfb;
    --snn-good: #2b7a4b;
    --snn-good-soft: #e5f4ea;
    --snn-warn: #9a5b00;
    --snn-warn-soft: #fff4e0;
    --snn-bad: #b42318;
    --snn-bad-soft: #fdecea;
    --snn-radius: 8px;
    --snn-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK SC', sans-serif;
    --snn-mono: ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace;
  }
`;

/** Base styles for an element's shadow root: type, panels, buttons, fields, focus rings. */
export const baseStyles = css`
  :host {
    font-family: var(--snn-font);
    color: var(--snn-text);
    font-size: 14px;
    line-height: 1.45;
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  h2 {
    font-size: 13px;
    font-weight: 600;
    letter-spacing: 0.02em;
    text-transform: uppercase;
    color: var(--snn-muted);
    margin: 0 0 8px;
  }
  h3 {
    font-size: 14px;
    font-weight: 600;
    margin: 0 0 6px;
  }
  p {
    margin: 0 0 8px;
  }
  .muted {
    color: var(--snn-muted);
  }
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .small {
    font-size: 12px;
  }
  .num {
    font-variant-numeric: tabular-nums;
  }
  button {
    font: inherit;
    font-size: 13px;
    border: 1px solid var(--snn-border-strong);
    background: var(--snn-surface);
    color: var(--snn-text);
    border-radius: 6px;
    padding: 5px 10px;
    cursor: pointer;
  }
  button:hover:not(:disabled) {
    background: #f0f2f6;
  }
  button.primary {
    background: var(--snn-accent);
    border-color: var(--snn-accent);
    color: #fff;
  }
  button.primary:hover:not(:disabled) {
    background: #233f97;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
    border: 1px solid var(--snn-border-strong);
    border-radius: 6px;
    background: var(--snn-surface);
    padding: 5px 8px;
  }
  label {
    font-size: 12px;
    font-weight: 500;
    color: var(--snn-muted);
  }
  :focus-visible {
    outline: 2px solid var(--snn-accent);
    outline-offset: 1px;
  }
  .message {
    border-radius: 6px;
    padding: 8px 10px;
    font-size: 13px;
  }
  .message.error {
    background: var(--snn-bad-soft);
    color: var(--snn-bad);
  }
  .message.warn {
    background: var(--snn-warn-soft);
    color: var(--snn-warn);
  }
  .message.info {
    background: var(--snn-accent-soft);
    color: var(--snn-accent);
  }
  .message.good {
    background: var(--snn-good-soft);
    color: var(--snn-text);
    border-left: 3px solid var(--snn-good);
  }
`;

/** A zone a file is dropped on (`.drop`, and `.drop.over` while one is dragged over it). */
export const dropStyles = css`
  .drop {
    border: 2px dashed var(--snn-border-strong);
    border-radius: var(--snn-radius);
    padding: 20px 16px;
    text-align: center;
    background: #fafbfc;
  }
  .drop.over {
    border-color: var(--snn-accent);
    background: var(--snn-accent-soft);
  }
`;

/** Colours of classes in charts, by class index. */
/** Charts drawn as inline SVG scale to their container's width. */
export const chartStyles = css`
  svg {
    width: 100%;
    height: auto;
    display: block;
  }
  /* A legend's colour sample. */
  .swatch {
    display: inline-block;
    width: 10px;
    height: 10px;
    border-radius: 2px;
    margin-right: 4px;
    vertical-align: -1px;
  }
`;

/** A headline figure: a bordered box with a large value and a small caption (`.what`). */
export const figureStyles = css`
  .figure {
    border: 1px solid var(--snn-border);
    border-radius: var(--snn-radius);
    padding: 8px 12px;
  }
  .figure .value {
    font-size: 20px;
    font-weight: 650;
  }
  .figure .what {
    font-size: 12px;
    color: var(--snn-muted);
  }
`;

/** Classes' colours: none of them is the blue that means a spike in the rasters and traces. */
export const CLASS_COLOURS = ['#d9480f', '#2b8a3e', '#ae3ec9', '#0c8599', '#e67700', '#5f3dc4', '#c2255c', '#845ef7'];

/** The chart colour of class `index`. */
export function classColour(index: number): string {
  return CLASS_COLOURS[index % CLASS_COLOURS.length];
}
