/**
 * Keeps the address bar in step with the shareable state (text, model, T, encoding, seed), so that
 * copying the URL at any time shares what is on screen; `share()` also puts it on the clipboard.
 * Writes are debounced and replace the history entry instead of adding one per keystroke.
 */
import { serializeUrlState, type ShareableState } from './url-state';

/** Writes the page's query string from the app's state. */
export class AddressBar {
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Writes `state` into the address bar after `delayMs` of quiet. */
  update(state: ShareableState, delayMs = 300): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.write(state), delayMs);
  }

  private write(state: ShareableState): { link: string; textTruncated: boolean } {
    const { query, textTruncated } = serializeUrlState(state);
    history.replaceState(null, '', `${location.pathname}${query}`);
    return { link: `${location.origin}${location.pathname}${query}`, textTruncated };
  }

  /** Writes the state now and copies the link; returns what to tell the person. */
  async share(state: ShareableState): Promise<string> {
    clearTimeout(this.timer);
    const { link, textTruncated } = this.write(state);
    try {
      await navigator.clipboard.writeText(link);
      return textTruncated ? 'Link copied (the text was cut to its first 2,000 characters).' : 'Link copied.';
    } catch {
      return 'The address bar now holds the link to share.';
    }
  }
}
