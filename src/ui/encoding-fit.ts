/**
 * What input a model was made for, and what the Encoding menu says about each choice: the menu
 * names the model's own input ("this model's"), marks the other one, and a choice the model was not
 * made for gets a warning that says what changes (a lossless model stops matching its ANN twin).
 */
import type { EncodingChoice } from './url-state';

/** The input a model was trained (or converted) for. */
export interface InputForm {
  trained: EncodingChoice;
  /** Presented at step 0 only (Su et al.'s analog input, or one draw of binary spikes). */
  firstStep: boolean;
  /** Binary input: one spike per component at or above its threshold. */
  binary: boolean;
  /** BIF neurons: the conversion from the quantised ANN is exact for the model's own input. */
  lossless: boolean;
  /** The encodings its card reports accuracies for. */
  onCard: EncodingChoice[];
}

/** The menu's entries for a model. */
export function encodingOptions(form: InputForm | null): { value: EncodingChoice; label: string; fits: boolean | null }[] {
  const rate = form?.binary ? 'Binary spikes' : 'Rate';
  const direct = form?.firstStep ? 'Direct (at step 0)' : 'Direct';
  return (['rate', 'direct'] as const).map((value) => {
    const base = value === 'rate' ? rate : direct;
    if (!form) return { value, label: base, fits: null };
    const fits = form.trained === value;
    const note = fits ? ' · this model’s' : form.onCard.includes(value) && !form.lossless ? ' · also on its card' : ' · not this model’s';
    return { value, label: `${base}${note}`, fits };
  });
}

/** What choosing `encoding` does to a model made for other input, or null when it fits. */
export function encodingWarning(form: InputForm | null, encoding: EncodingChoice): string | null {
  if (!form || form.trained === encoding) return null;
  const own = form.binary ? 'binary spikes at step 0' : form.firstStep ? `${form.trained} input at step 0` : `${form.trained} input`;
  if (form.lossless) {
    return `This model was converted losslessly for ${own}. With ${encoding} input its spiking network no longer computes what its ANN twin does, so the two labels may differ and its card's accuracy does not apply.`;
  }
  if (form.onCard.includes(encoding)) return null;
  return `This model was made for ${own}; with ${encoding} input its accuracy is not what its card says.`;
}
