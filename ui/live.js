// Calls in progress: how long each has run, its last turn, and a hang-up button. The list is read
// again every 5 s while the page is open.
import { h, cell, clear, heading, timeEl, duration, statusBox, setStatus, confirmDialog } from './util.js';
import { api, get } from './api.js';

export async function page({ main, signal }) {
  const tbody = h('tbody');
  const box = statusBox();
  const note = h('p', { class: 'hint' });
  const table = h('table', { class: 'stack' },
    h('thead', null, h('tr', null, ['Number', 'Answered', 'Running for', 'Last turn', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);
  clear(main, heading('Live calls'), note, table, box);
  let calls = [];
  const clocks = [];

  async function hangup(call) {
    if (!await confirmDialog(`Hang up the call to ${call.to} now?`, 'Hang up', 'Keep it')) return;
    try {
      await api('POST', `/api/call-logs/${encodeURIComponent(call.callLogId)}/hangup`, { signal });
      setStatus(box, `Hanging up the call to ${call.to}.`, 'ok');
    } catch (e) {
      if (e.name === 'AbortError') return;
      setStatus(box, e.code === 'not_live' ? `The call to ${call.to} has already ended.` : e.message, e.code === 'not_live' ? '' : 'error');
    }
    refresh();
  }

  function render() {
    clocks.length = 0;
    const focused = tbody.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    clear(tbody, calls.length ? calls.map((c) => {
      const running = h('span');
      clocks.push([running, c.answeredAt]);
      const t = c.lastTurn;
      return h('tr', null,
        cell('Number', h('a', { class: 'num', href: `#/logs/${encodeURIComponent(c.callLogId)}` }, c.to)),
        cell('Answered', timeEl(c.answeredAt, true)),
        cell('Running for', running),
        cell('Last turn', t ? [h('strong', null, t.role === 'agent' ? 'Agent: ' : 'Callee: '),
          t.text == null ? h('em', null, 'text hidden') : t.text] : '—'),
        cell('Actions', h('button', { type: 'button', class: 'danger small', 'data-id': c.callLogId, onclick: () => hangup(c) }, 'Hang up')));
    }) : h('tr', null, h('td', { colspan: 5 }, 'No calls in progress.')));
    if (focused) tbody.querySelector(`button[data-id="${CSS.escape(focused)}"]`)?.focus();
    tick();
  }

  function tick() {
    for (const [el, since] of clocks) el.textContent = since ? duration((Date.now() - new Date(since)) / 1000) : '—';
  }

  let timer = 0;
  async function refresh() {
    clearTimeout(timer);
    try {
      calls = (await get('/api/live-calls', { signal })).items || [];
      note.textContent = `Updated every few seconds; last at ${new Date().toLocaleTimeString()}.`;
      render();
    } catch (e) {
      if (e.name === 'AbortError') return;
      note.textContent = '';
      setStatus(box, e.status === 404 ? 'This server does not list live calls yet.' : e.message, 'error');
      if (e.status === 404 || e.status === 403) return;
    }
    if (!signal.aborted) timer = setTimeout(refresh, 5000);
  }
  const clock = setInterval(tick, 1000);
  signal.addEventListener('abort', () => { clearTimeout(timer); clearInterval(clock); });
  await refresh();
}
