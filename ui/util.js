// DOM and formatting helpers shared by the pages.

// h('p', {class: 'x', onclick: f}, 'text', child, [more]) → an element. Strings become text nodes
// (never HTML); null, undefined and false are skipped.
const PROPS = new Set(['value', 'checked', 'disabled', 'required', 'hidden', 'selected']);

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  append(el, children);  // first, so that a <select>'s value finds its option
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
export const uid = (prefix = 'u') => `${prefix}-${++ids}`;

export const zoneName = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';

const fmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
});
const fmtSeconds = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
});

// An RFC 3339 time in the operator's zone, the zone named; '—' for none.
export function time(iso, withSeconds = false) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (withSeconds ? fmtSeconds : fmt).format(d);
}

// <time datetime=...> with the formatted text.
export const timeEl = (iso, withSeconds) => (iso ? h('time', { datetime: iso }, time(iso, withSeconds)) : '—');

// 0:07, 12:03, 1:02:09
export function duration(seconds) {
  if (seconds == null || Number.isNaN(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const two = (n) => String(n).padStart(2, '0');
  return hh ? `${hh}:${two(mm)}:${two(ss)}` : `${mm}:${two(ss)}`;
}

// "2026-12-07T14:30" (a datetime-local value, in the operator's zone) → "2026-12-07T14:30:00+01:00".
export function localToRfc3339(value) {
  const d = new Date(value);
  if (!value || Number.isNaN(d.getTime())) return value || '';
  const two = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:00` +
    `${sign}${two(offset / 60)}:${two(offset % 60)}`;
}

// A Date → a datetime-local value in the operator's zone.
export function dateToLocal(d) {
  const two = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

export const statusLabel = (s) => String(s || 'unknown').replace(/[_-]/g, ' ');
export const badge = (s) => h('span', { class: `badge s-${String(s).replace(/_/g, '-')}` }, statusLabel(s));

// A table cell with a label for narrow screens (each row becomes a card).
export const cell = (label, ...content) => h('td', { 'data-label': label }, h('div', null, ...content));

// A page heading that takes focus after navigation, so screen readers announce the new page.
export function heading(text) {
  document.title = `${text} · voiceagent`;
  return h('h1', { tabindex: '-1', id: 'page-title' }, text);
}

// A live region for a form's outcome.
export const statusBox = () => h('p', { class: 'status', role: 'status' });

export function setStatus(box, text, kind = '') {
  box.textContent = text || '';
  box.className = `status ${kind}`;
}

// A modal confirmation (<dialog>): resolves true when the operator confirms.
export function confirmDialog(message, confirmLabel, cancelLabel = 'Go back') {
  return new Promise((resolve) => {
    const title = uid('dlg');
    const dlg = h('dialog', { 'aria-labelledby': title },
      h('p', { id: title }, message),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close('no') }, cancelLabel),
        h('button', { type: 'button', class: 'danger', onclick: () => dlg.close('yes') }, confirmLabel)));
    dlg.addEventListener('close', () => { dlg.remove(); resolve(dlg.returnValue === 'yes'); });
    document.body.append(dlg);
    dlg.showModal();
  });
}
