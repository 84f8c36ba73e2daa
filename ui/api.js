// The API client: the bearer token (sessionStorage only, never a URL), JSON in and out, and the
// API's errors ({"error":{"code","message","field"}}) as ApiError.
import { h, uid, setStatus } from './util.js';

const TOKEN = 'va.token';
export const session = { token: sessionStorage.getItem(TOKEN) || '', mode: '' };  // mode: open | token

export function setToken(token) {
  session.token = token;
  if (token) sessionStorage.setItem(TOKEN, token);
  else sessionStorage.removeItem(TOKEN);
}

export class ApiError extends Error {
  constructor(status, error) {
    super(error.message);
    this.status = status;
    this.code = error.code;
    this.field = error.field || '';
  }
}

export function authHeaders(token = session.token) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// fetch with the token; a non-2xx answer throws ApiError. Returns the Response.
export async function request(method, path, { body, headers, signal } = {}) {
  const all = { ...authHeaders(), ...headers };
  if (method !== 'GET') all['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method, headers: all, signal, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { code: 'network', message: 'The server cannot be reached. Try again in a moment.' });
  }
  if (res.ok) return res;
  const answer = await res.json().catch(() => null);
  const error = answer?.error?.message ? answer.error
    : { code: `http_${res.status}`, message: `The server answered ${res.status} ${res.statusText}`.trim() };
  const e = new ApiError(res.status, error);
  if (res.status === 401) window.dispatchEvent(new CustomEvent('va:unauthorized'));
  throw e;
}

export async function api(method, path, options) {
  const res = await request(method, path, options);
  return res.status === 204 ? null : res.json();
}

export const get = (path, options) => api('GET', path, options);

export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// --- form fields and the API's field errors ---

// A labelled control with an optional hint and a slot for its error. `name` is the API's field
// name (error.field), e.g. "conversation.endOfTurnMs".
export function field(label, control, { hint, name } = {}) {
  control.id ||= uid('f');
  const errId = uid('e');
  const hintId = hint ? uid('h') : null;
  if (name) control.dataset.field = name;
  control.dataset.err = errId;
  control.setAttribute('aria-describedby', [hintId, errId].filter(Boolean).join(' '));
  return h('div', { class: 'field' },
    h('label', { for: control.id }, label),
    hint && h('p', { class: 'hint', id: hintId }, hint),
    control,
    h('p', { class: 'field-error', id: errId }));
}

// A fieldset that can show an error of its own (field `name` and anything under it).
export function group(legend, name, ...children) {
  const errId = uid('e');
  return h('fieldset', { 'data-field': name, 'data-err': errId },
    h('legend', null, legend), ...children, h('p', { class: 'field-error', id: errId }));
}

export function setFieldError(control, message) {
  const slot = document.getElementById(control.dataset.err);
  if (slot) slot.textContent = message;
  if (/^(INPUT|SELECT|TEXTAREA)$/.test(control.tagName)) control.setAttribute('aria-invalid', 'true');
}

export function clearErrors(root) {
  for (const c of root.querySelectorAll('[data-err]')) {
    const slot = document.getElementById(c.dataset.err);
    if (slot) slot.textContent = '';
    c.removeAttribute('aria-invalid');
  }
}

// The control for an API field: "callWindow.recipientTimeZones.+1415…" falls back to
// "callWindow.recipientTimeZones", then "callWindow".
export function controlFor(root, name) {
  for (let f = name || ''; f;) {
    const c = root.querySelector(`[data-field="${CSS.escape(f)}"]`);
    if (c) return c;
    const m = f.match(/^(.+?)(\[[^\]]*\]|\.[^.[]*)$/);
    f = m ? m[1] : '';
  }
  return null;
}

// An API error next to its field, in the API's words; else in the form's status box.
export function showError(root, err, box, { focus = true } = {}) {
  const c = err instanceof ApiError ? controlFor(root, err.field) : null;
  if (c) {
    setFieldError(c, err.message);
    if (focus) (c.tagName === 'FIELDSET' ? c.querySelector('input, select, textarea') : c)?.focus();
    setStatus(box, 'Please correct the marked field.', 'error');
  } else {
    setStatus(box, err.message || String(err), 'error');
  }
}
