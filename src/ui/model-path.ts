/**
 * Which model folder a link (`?model=`) may open. A shared link must not make the page fetch a
 * model from another site or a `data:` URL and present it as this site's: only folders of this
 * site are opened, those listed in `models/index.json` and folders inside the site's own
 * `models/` directory (where a deployment puts models it does not list, e.g. the test model).
 * Pure: URLs in, a path or a `ModelPathError` out.
 */
import type { ModelIndexEntry } from './model-index';

/** A `?model=` value the page refuses to open; the message says what is allowed. */
export class ModelPathError extends Error {
  override name = 'ModelPathError';
}

const ALLOWED = 'open a model of this site, listed in its model picker or as ?model=models/<folder>';

function shown(value: string): string {
  const text = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  return text.replace(/[\u2028\u2029]/g, ' ');
}

/** A folder URL with exactly one trailing slash, for comparisons. */
function folder(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/`;
}

/**
 * The model path to load for a `?model=` value on the page at `pageUrl`, or a `ModelPathError`:
 * refused are absolute URLs (`https:`, `data:`, `blob:`, `javascript:` …), protocol-relative
 * `//host`, backslashes and control characters, a query or fragment, anything that resolves to
 * another origin, and a same-origin folder that is neither listed in `index` nor inside the
 * site's `models/` directory (e.g. `../secret`, `/elsewhere`).
 */
export function checkModelPath(value: string, pageUrl: string, index: readonly ModelIndexEntry[]): string {
  const path = value.trim();
  if (path === '') throw new ModelPathError(`The model link is empty; ${ALLOWED}.`);
  if (/[\u0000-\u001f\u007f\\]/.test(path)) throw new ModelPathError(`The model link ${shown(path)} holds a backslash or a control character; ${ALLOWED}.`);
  // A model trained in this page and kept in its storage (see worker/model-store.ts).
  if (/^local:[a-z0-9-]{1,40}$/.test(path)) return path;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(path);
  if (scheme) throw new ModelPathError(`The model link ${shown(path)} is an absolute ${scheme[1].toLowerCase()}: URL; links cannot load models from elsewhere: ${ALLOWED}.`);
  if (path.startsWith('//')) throw new ModelPathError(`The model link ${shown(path)} names another host (it starts with //); ${ALLOWED}.`);
  if (/[?#]/.test(path)) throw new ModelPathError(`The model link ${shown(path)} holds a query or fragment (? or #); ${ALLOWED}.`);
  const page = new URL(pageUrl);
  let resolved: URL;
  try {
    resolved = new URL(path, page);
  } catch {
    throw new ModelPathError(`The model link ${shown(path)} is not a valid path; ${ALLOWED}.`);
  }
  if (resolved.origin !== page.origin) throw new ModelPathError(`The model link ${shown(path)} leads to another site (${resolved.origin}); ${ALLOWED}.`);
  const target = folder(resolved);
  const listed = index.some((entry) => {
    try {
      const url = new URL(entry.path, page);
      return url.origin === page.origin && folder(url) === target;
    } catch {
      return false;
    }
  });
  if (listed) return path;
  const models = folder(new URL('models/', page));
  if (!target.startsWith(models) || target === models) {
    throw new ModelPathError(`The model link ${shown(path)} is not a model of this site: it is not in models/index.json nor a folder in the site's models/ directory; ${ALLOWED}.`);
  }
  return path;
}
