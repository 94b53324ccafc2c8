/**
 * The app shell's layout: header, backend bar, a thin progress line while computing, and a
 * two-column body (input and decision on the left, the inspection views on the right) that
 * becomes one column on a narrow screen.
 */
import { css } from 'lit';
import { baseStyles } from './theme';

/** Styles of `snn-app`. */
export const appStyles = [
  baseStyles,
  css`
    :host {
      display: block;
      min-height: 100vh;
      background: var(--snn-bg);
    }
    header {
      display: flex;
      align-items: center;
      gap: 12px;
      padding: 10px 20px;
      background: var(--snn-surface);
      border-bottom: 1px solid var(--snn-border);
    }
    .brand {
      display: flex;
      align-items: baseline;
      gap: 10px;
      flex-wrap: wrap;
      min-width: 0;
    }
    .brand-name {
      font-size: 18px;
      font-weight: 700;
      letter-spacing: -0.01em;
    }
    .brand-name::before {
      content: '';
      display: inline-block;
      width: 10px;
      height: 10px;
      margin-right: 8px;
      border-radius: 50%;
      background: var(--snn-accent);
      box-shadow: 14px 0 0 -2px #8ea2e0, 24px 0 0 -3px #c9d3f2;
      vertical-align: 1px;
      margin-right: 30px;
    }
    .tagline {
      color: var(--snn-muted);
      font-size: 13px;
    }
    .share {
      margin-left: auto;
      flex: none;
    }
    .progress {
      height: 2px;
      background: transparent;
      overflow: hidden;
      position: relative;
    }
    .progress.on::after {
      content: '';
      position: absolute;
      inset: 0 auto 0 0;
      width: 30%;
      background: var(--snn-accent);
      animation: slide 1.1s ease-in-out infinite;
    }
    @keyframes slide {
      from {
        transform: translateX(-100%);
      }
      to {
        transform: translateX(340%);
      }
    }
    main {
      display: grid;
      grid-template-columns: minmax(340px, 410px) minmax(0, 1fr);
      gap: 16px;
      padding: 14px 20px;
      max-width: 1480px;
      margin: 0 auto;
      align-items: start;
    }
    .column {
      display: flex;
      flex-direction: column;
      gap: 16px;
      min-width: 0;
    }
    .panel {
      background: var(--snn-surface);
      border: 1px solid var(--snn-border);
      border-radius: 10px;
      padding: 14px 16px;
      display: flex;
      flex-direction: column;
      gap: 12px;
      min-width: 0;
    }
    .panel h2 {
      margin: 0;
    }
    .model-note {
      margin: 0;
    }
    footer {
      text-align: center;
      padding: 4px 20px 18px;
    }
    .toast {
      position: fixed;
      bottom: 18px;
      left: 50%;
      transform: translateX(-50%);
      background: var(--snn-text);
      color: #fff;
      padding: 8px 14px;
      border-radius: 8px;
      font-size: 13px;
      box-shadow: 0 4px 16px rgba(0, 0, 0, 0.18);
    }
    code {
      font-family: var(--snn-mono);
      font-size: 12px;
    }
    @media (max-width: 900px) {
      main {
        grid-template-columns: minmax(0, 1fr);
        padding: 10px;
        gap: 10px;
      }
      header {
        padding: 8px 12px;
      }
      .tagline {
        display: none;
      }
      .panel {
        padding: 12px;
      }
    }
  `,
];
