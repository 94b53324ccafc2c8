import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { baseStyles } from './theme';

/**
 * A confusion matrix as a table: rows are the file's labels, columns the SNN's predictions; each
 * cell shaded by its share of its row, the diagonal (correct) in green, the rest in red.
 */
@customElement('snn-confusion')
export class SnnConfusion extends LitElement {
  static override styles = [
    baseStyles,
    css`
      table {
        border-collapse: separate;
        border-spacing: 3px;
        font-size: 13px;
      }
      th {
        font-weight: 600;
        font-size: 12px;
        color: var(--snn-muted);
        padding: 2px 6px;
      }
      th[scope='row'] {
        text-align: right;
      }
      td {
        min-width: 56px;
        text-align: center;
        padding: 6px 8px;
        border-radius: 4px;
      }
      caption {
        caption-side: top;
        text-align: left;
        font-size: 12px;
        color: var(--snn-muted);
        padding-bottom: 4px;
        white-space: nowrap;
      }
      .wrap {
        overflow-x: auto;
      }
    `,
  ];

  /** `matrix[true][predicted]` counts. */
  @property({ attribute: false }) matrix: readonly (readonly number[])[] = [];
  @property({ attribute: false }) classes: readonly string[] = [];

  override render() {
    return html`<div class="wrap">
      <table data-testid="confusion-matrix">
        <caption>
          Rows: label in the file · columns: SNN prediction
        </caption>
        <thead>
          <tr>
            <td></td>
            ${this.classes.map((name) => html`<th scope="col">${name}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${this.matrix.map((row, truth) => {
            const total = row.reduce((sum, count) => sum + count, 0);
            return html`<tr>
              <th scope="row">${this.classes[truth]}</th>
              ${row.map((count, predicted) => {
                const share = total > 0 ? count / total : 0;
                const colour = truth === predicted ? '43, 122, 75' : '180, 35, 24';
                return html`<td class="num" style="background:rgba(${colour}, ${(0.06 + share * 0.5).toFixed(3)})" title=${`${count} of ${total} labelled ${this.classes[truth]}`}>${count}</td>`;
              })}
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'snn-confusion': SnnConfusion;
  }
}
