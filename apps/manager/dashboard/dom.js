// Small DOM helpers. Every text goes in as a text node or an attribute value, never as markup:
// there is no innerHTML in the dashboard, so escaping holds by construction.

/**
 * Builds an element: `attrs` are attributes (`class`, `href`, `aria-*`…), `on*` functions become
 * listeners, `false`/`null`/`undefined` values are left out; children are nodes or strings.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function')
      element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'value') element.value = String(value);
    else if (name === 'checked' || name === 'selected' || name === 'disabled')
      element[name] = Boolean(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** An SVG element (the charts), same conventions as {@link h}. */
export function svg(tag, attrs = {}, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attrs))
    if (value !== undefined && value !== null) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

/** The signed-in visitor (set by app.js): its CSRF token goes with every action. */
export const session = { csrfToken: null, role: null, name: null, states: [], actionStates: {} };

/** An error answer of the API, with its problem details. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Calls in flight by key: a newer call of the same key aborts the older (no pile-up). */
const inFlight = new Map();

/** Calls the dashboard's API; `key` names a call a newer one replaces. */
export async function api(path, { method = 'GET', query, body, key, headers = {} } = {}) {
  const url = new URL(`/dashboard/api/${path}`, location.origin);
  if (query) for (const [name, value] of query) url.searchParams.append(name, value);
  let controller;
  if (key) {
    inFlight.get(key)?.abort();
    controller = new AbortController();
    inFlight.set(key, controller);
  }
  try {
    const response = await fetch(url, {
      method,
      credentials: 'same-origin',
      signal: controller?.signal,
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(method !== 'GET' && session.csrfToken ? { 'X-CSRF-Token': session.csrfToken } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return null;
    // An abort while the body is read must stay an abort: a null answer would be drawn as data.
    const answer = await response.json().catch((error) => {
      if (isAbort(error)) throw error;
      return null;
    });
    if (!response.ok) throw new ApiError(response.status, answer);
    return answer;
  } finally {
    if (key && inFlight.get(key) === controller) inFlight.delete(key);
  }
}

/** True for the error of a call a newer one replaced. */
export function isAbort(error) {
  return error?.name === 'AbortError';
}

/** A link inside the dashboard: followed without reloading the page. */
export function link(href, ...children) {
  return h('a', { href, 'data-internal': true }, ...children);
}

/** A state as text and colour (colour is never the only signal). */
export function stateBadge(state) {
  return h('span', { class: `badge state-${state.toLowerCase()}` }, state);
}

export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A status line the screen reader announces. */
export function notice(text, kind = 'info') {
  return h(
    'p',
    { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    text,
  );
}

/** A message for an error answer. */
export function errorText(error) {
  if (error instanceof ApiError) return `${error.status}: ${error.message}`;
  return String(error?.message ?? error);
}
