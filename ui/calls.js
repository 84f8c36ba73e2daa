// Scheduled calls: the table (filter, paging, cancel) and one call's page, kept up to date by the
// server's event stream (fetch + text/event-stream, so that the token goes in a header).
import { h, cell, clear, heading, time, timeEl, duration, badge, statusLabel, statusBox, setStatus, confirmDialog } from './util.js';
import { api, get, request, qs, ApiError } from './api.js';

const CALL_STATUSES = ['pending', 'in_progress', 'completed', 'canceled', 'failed'];
const RECIPIENT_STATUSES = ['pending', 'dialing', 'queued', 'ringing', 'in-progress', 'completed', 'busy',
  'no-answer', 'failed', 'canceled', 'unknown'];
const FINAL_CALL = new Set(['completed', 'canceled', 'failed']);
const DEFERRED = {
  window: 'Outside the calling window',
  'daily-budget': 'The day\'s dial budget is used up',
  cooldown: 'Called recently from another scheduled call',
};

const cancellable = (call) => call.status === 'pending' || call.status === 'in_progress';

function counts(call) {
  if (call.counts) return call.counts;
  const c = {};
  for (const r of call.recipients || []) c[r.status] = (c[r.status] || 0) + 1;
  return c;
}

export function countsText(call) {
  const c = counts(call);
  const parts = RECIPIENT_STATUSES.filter((s) => c[s]).map((s) => `${c[s]} ${statusLabel(s)}`);
  return parts.join(', ') || 'no recipients';
}

function nextDue(call) {
  if (FINAL_CALL.has(call.status)) return null;
  const due = (call.recipients || []).filter((r) => r.status === 'pending' && r.nextAttemptAt).map((r) => r.nextAttemptAt).sort();
  return due[0] || (call.status === 'pending' ? call.scheduledDateTime : null);
}

async function cancel(call, box, signal) {
  const n = call.recipients?.length || call.toPhoneNumbers?.length || 0;
  const ok = await confirmDialog(
    `Cancel the call scheduled for ${time(call.scheduledDateTime)} to ${n} ${n === 1 ? 'recipient' : 'recipients'}? ` +
    'Recipients not yet dialed will not be called; calls in progress are hung up.', 'Cancel the call', 'Keep it');
  if (!ok) return null;
  try {
    const updated = await api('POST', `/api/scheduled-calls/${encodeURIComponent(call.id)}/cancel`, { signal });
    setStatus(box, 'The call was canceled.', 'ok');
    return updated;
  } catch (e) {
    if (e.name !== 'AbortError') setStatus(box, e.message, 'error');
    return null;
  }
}

export async function list({ main, query, signal }) {
  const status = query.get('status') || '';
  const filter = h('select', { id: 'status-filter', onchange: () => { location.hash = `#/calls${qs({ status: filter.value })}`; } },
    h('option', { value: '' }, 'All'), CALL_STATUSES.map((s) => h('option', { value: s }, statusLabel(s))));
  filter.value = status;
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more');
  const box = statusBox();
  clear(main, heading('Scheduled calls'),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field inline' }, h('label', { for: 'status-filter' }, 'Status'), filter),
      h('a', { class: 'button', href: '#/schedule' }, 'Schedule a call')),
    h('table', { class: 'stack' },
      h('thead', null, h('tr', null, ['Scheduled for', 'Status', 'Recipients', 'Next due', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody),
    more, box);

  function row(call) {
    const tr = h('tr', null,
      cell('Scheduled for', h('a', { href: `#/calls/${encodeURIComponent(call.id)}` }, time(call.scheduledDateTime))),
      cell('Status', badge(call.status)),
      cell('Recipients', countsText(call)),
      cell('Next due', timeEl(nextDue(call))),
      cell('Actions', cancellable(call) && h('button', { type: 'button', class: 'danger small', onclick: async () => {
        const updated = await cancel(call, box, signal);
        if (updated) tr.replaceWith(row(updated));
      } }, 'Cancel')));
    return tr;
  }

  let cursor = null;
  async function load() {
    more.disabled = true;
    const page = await get(`/api/scheduled-calls${qs({ status, limit: 50, cursor })}`, { signal });
    for (const call of page.items) tbody.append(row(call));
    if (!tbody.children.length) tbody.append(h('tr', null, h('td', { colspan: 5 }, status ? `No ${statusLabel(status)} calls.` : 'No scheduled calls yet.')));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    more.disabled = false;
  }
  more.addEventListener('click', () => load().catch((e) => setStatus(box, e.message, 'error')));
  await load();
}

// Reads a text/event-stream body as it arrives; calls onEvent(name, data) per event. Returns when
// the server closes the stream.
export async function readEvents(res, onEvent) {
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '', data = [], name = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    for (let m; (m = /\r\n|\r|\n/.exec(buf));) {
      if (m[0] === '\r' && m.index === buf.length - 1) break;  // a CRLF split across chunks
      const line = buf.slice(0, m.index);
      buf = buf.slice(m.index + m[0].length);
      if (line === '') {
        if (data.length) onEvent(name || 'message', data.join('\n'));
        data = []; name = '';
      } else if (!line.startsWith(':')) {  // ":" starts a comment (": ping")
        const i = line.indexOf(':');
        const key = i < 0 ? line : line.slice(0, i);
        const v = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
        if (key === 'data') data.push(v); else if (key === 'event') name = v;
      }
    }
  }
}

const sleep = (ms, signal) => new Promise((resolve) => {
  const t = setTimeout(resolve, ms);
  signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

// Follows /api/scheduled-calls/{id}/events; reconnects with backoff (1 s doubling to 30 s, with
// jitter) until the page is left or the call is over.
async function follow(id, { signal, onCall, onState, isOver }) {
  let backoff = 1000;
  while (!signal.aborted) {
    try {
      const res = await request('GET', `/api/scheduled-calls/${encodeURIComponent(id)}/events`, { signal, headers: { Accept: 'text/event-stream' } });
      onState('live');
      await readEvents(res, (name, data) => {
        if (name !== 'scheduled-call') return;
        backoff = 1000;
        onCall(JSON.parse(data));
      });
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && e.status >= 400 && e.status < 500 && e.status !== 429) {
        onState('unavailable', e.message);  // no stream on this server, or not allowed: stop
        return;
      }
    }
    if (signal.aborted || isOver()) { onState('over'); return; }
    onState('reconnecting');
    await sleep(backoff * (0.75 + Math.random() / 2), signal);
    backoff = Math.min(backoff * 2, 30000);
  }
}

// A recipient's values for the prompt's {{placeholders}}, each cut to a glance.
function variablesText(variables) {
  const cut = (v) => (v.length > 60 ? `${v.slice(0, 59)}…` : v);
  return Object.entries(variables || {}).map(([k, v]) => `${k}: ${cut(v)}`).join(', ') || '—';
}

async function logsOf(id, signal) {
  const out = [];
  let cursor = null;
  do {
    const page = await get(`/api/call-logs${qs({ scheduledCallId: id, limit: 200, cursor })}`, { signal });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < 5000);
  return out;
}

export async function detail({ main, id, signal }) {
  let call = await get(`/api/scheduled-calls/${encodeURIComponent(id)}`, { signal });
  let logs = await logsOf(id, signal);
  const summary = h('dl', { class: 'summary' });
  const tbody = h('tbody');
  const liveState = h('p', { class: 'hint live-state' });
  const box = statusBox();
  const actions = h('div', { class: 'actions' });
  clear(main, heading('Scheduled call'),
    h('p', null, h('a', { href: '#/calls' }, 'All scheduled calls')),
    summary, actions, box, liveState,
    h('h2', null, 'Recipients'),
    h('table', { class: 'stack' },
      h('thead', null, h('tr', null, ['Number', 'Variables', 'Status', 'Attempt', 'Waiting', 'Duration', 'Call log'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody));

  function logsFor(r) {
    return logs.filter((l) => l.to === r.phoneNumber || (r.callSid && l.callSid === r.callSid))
      .sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
  }

  function render() {
    const w = call.callWindow;
    clear(summary,
      h('dt', null, 'Status'), h('dd', { id: 'call-status' }, badge(call.status)),
      h('dt', null, 'Scheduled for'), h('dd', null, timeEl(call.scheduledDateTime)),
      h('dt', null, 'Recipients'), h('dd', { id: 'call-counts' }, countsText(call)),
      h('dt', null, 'Next due'), h('dd', null, timeEl(nextDue(call))),
      h('dt', null, 'Introduction'), h('dd', { class: 'quote' }, call.introduction || '—'),
      h('dt', null, 'Redial'), h('dd', null, call.retry
        ? `Up to ${call.retry.maxAttempts} calls, ${Math.round(call.retry.delaySeconds / 60)} min apart` : 'The server\'s default'),
      h('dt', null, 'Calling window'), h('dd', null, w ? `${w.start}–${w.end}${w.timeZone ? `, ${w.timeZone}` : ', each number\'s local time'}` : 'Any time'),
      h('dt', null, 'Created'), h('dd', null, timeEl(call.createdAt)));
    clear(actions, cancellable(call) && h('button', { type: 'button', class: 'danger', onclick: async () => {
      const updated = await cancel(call, box, signal);
      if (updated) { call = updated; render(); }
    } }, 'Cancel the call'));
    const focused = tbody.contains(document.activeElement) ? document.activeElement.getAttribute('href') : null;
    clear(tbody, (call.recipients || []).map((r) => {
      const mine = logsFor(r);
      const last = mine[mine.length - 1];
      return h('tr', { 'data-number': r.phoneNumber },
        cell('Number', h('span', { class: 'num' }, r.phoneNumber)),
        cell('Variables', variablesText(r.variables)),
        cell('Status', badge(r.status), r.errorMessage && h('span', { class: 'hint' }, ` ${r.errorMessage}`)),
        cell('Attempt', String(r.attempt ?? '—')),
        cell('Waiting', r.deferredReason ? `${DEFERRED[r.deferredReason] || r.deferredReason}; due ${time(r.nextAttemptAt)}` : '—'),
        cell('Duration', last?.duration != null ? duration(last.duration) : '—'),
        cell('Call log', mine.length ? h('ul', { class: 'plain' }, mine.map((l, i) => h('li', null,
          h('a', { href: `#/logs/${encodeURIComponent(l.id)}` }, mine.length > 1 ? `Attempt ${i + 1}` : 'Call log')))) : '—'));
    }));
    if (focused) tbody.querySelector(`a[href="${CSS.escape(focused)}"]`)?.focus();
  }
  render();

  // A recipient that moved on (a new attempt, an answer, an end) has a new or changed call log.
  const shape = (c) => (c.recipients || []).map((r) => `${r.status}/${r.attempt}/${r.callSid}`).join(',');
  let refetch = 0;
  async function refreshLogs() {
    try {
      logs = await logsOf(id, signal);
      render();
    } catch (e) {
      if (e.name !== 'AbortError') setStatus(box, e.message, 'error');
    }
  }
  const states = {
    live: 'Updates as it happens.',
    reconnecting: 'Connection lost; reconnecting…',
    unavailable: 'Live updates are not available here; reload the page to see changes.',
    over: '',
  };
  follow(id, {
    signal,
    isOver: () => FINAL_CALL.has(call.status),
    onState: (s) => { liveState.textContent = states[s] ?? ''; },
    onCall: (next) => {
      const moved = shape(next) !== shape(call);
      call = next;
      render();
      if (moved) { clearTimeout(refetch); refetch = setTimeout(refreshLogs, 250); }
    },
  });
}
