// Schedule a call: recipients typed or pasted one per line or read from a CSV file, checked by the
// API's dry run as they change; sent once (Idempotency-Key kept with the draft until it succeeds).
import { h, clear, heading, uid, zoneName, statusBox, setStatus, localToRfc3339, dateToLocal } from './util.js';
import { get, request, qs, field, group, clearErrors, controlFor, setFieldError, ApiError } from './api.js';

const DRAFT = 'va.draft.schedule';

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

// RFC 4180 CSV (quoted fields, "" inside quotes, line breaks inside quotes, CRLF, a BOM), with the
// delimiter guessed from the first line (comma, semicolon or tab).
export function parseCsv(text) {
  text = text.replace(/^\uFEFF/, '');
  const first = text.split(/\r\n|\n|\r/, 1)[0] || '';
  const delim = [';', '\t'].reduce((best, d) => (first.split(d).length > first.split(best).length ? d : best), ',');
  const rows = [];
  let row = [], value = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') value += c;
      else if (text[i + 1] === '"') { value += '"'; i++; } else quoted = false;
    } else if (c === '"' && value === '') {
      quoted = true;
    } else if (c === delim) {
      row.push(value); value = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(value); rows.push(row); row = []; value = '';
    } else {
      value += c;
    }
  }
  if (value !== '' || row.length) { row.push(value); rows.push(row); }
  return rows;
}

// CSV rows → recipient lines ("+1 415 555 2671" or "+1 415 555 2671, America/Los_Angeles").
export function csvToLines(rows) {
  const norm = (s) => String(s).trim().toLowerCase().replace(/[\s_-]/g, '');
  const header = (rows[0] || []).map(norm);
  let phone = header.indexOf('phonenumber');
  if (phone < 0) phone = header.indexOf('phone');
  if (phone < 0) throw new Error('The file has no column headed phoneNumber or phone.');
  const zone = header.indexOf('timezone');
  return rows.slice(1).map((r) => [String(r[phone] ?? '').trim(), zone >= 0 ? String(r[zone] ?? '').trim() : ''])
    .filter(([p]) => p).map(([p, z]) => (z ? `${p}, ${z}` : p));
}

// The textarea's lines: [{line: 1-based line number, phone, zone}], blank lines left out.
function parseLines(text) {
  const out = [];
  text.split(/\r\n|\n|\r/).forEach((raw, i) => {
    const t = raw.trim();
    if (!t) return;
    const m = t.match(/^([^,;\t]*)[,;\t](.*)$/);
    out.push({ line: i + 1, phone: (m ? m[1] : t).trim(), zone: m ? m[2].trim().replace(/^"|"$/g, '') : '' });
  });
  return out;
}

async function allPrompts(signal) {
  const out = [];
  let cursor = null;
  do {
    const page = await get(`/api/prompts${qs({ limit: 200, cursor })}`, { signal });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < 1000);
  return out;
}

const asNumber = (v, scale = 1) => (/^\d+(\.\d+)?$/.test(v.trim()) ? Math.round(Number(v) * scale) : v);

export async function page({ main, query, signal }) {
  const prompts = await allPrompts(signal);
  const title = heading('Schedule a call');
  if (!prompts.length) {
    clear(main, title, h('p', null, 'There are no prompts yet. ', h('a', { href: '#/prompts/new' }, 'Create a prompt'), ' first.'));
    return;
  }
  const stored = JSON.parse(sessionStorage.getItem(DRAFT) || 'null');
  const draft = stored || { key: newKey() };
  const zone = zoneName();

  const prompt = h('select', null, prompts.map((p) => h('option', { value: p.id }, p.name)));
  prompt.value = query.get('prompt') || draft.promptId || prompts[0].id;
  if (!prompt.value) prompt.value = prompts[0].id;
  const intro = h('p', { class: 'quote', 'aria-live': 'polite' });
  const recipients = h('textarea', { rows: 6, spellcheck: 'false', autocomplete: 'off', value: draft.recipients || '' });
  const file = h('input', { type: 'file', accept: '.csv,text/csv' });
  const fileBox = statusBox();
  const checkSummary = h('p', { class: 'check', 'aria-live': 'polite' });
  const badLines = h('ul', { class: 'bad-lines' });
  const when = h('input', { type: 'datetime-local', value: draft.when || dateToLocal(new Date(Date.now() + 60000)) });
  const whenHint = h('span');
  const winOn = h('input', { type: 'checkbox', checked: !!draft.winOn });
  const winStart = h('input', { type: 'time', value: draft.winStart || '09:00' });
  const winEnd = h('input', { type: 'time', value: draft.winEnd || '20:00' });
  const zones = Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : [];
  const listId = uid('zones');
  const winZone = h('input', { type: 'text', list: listId, autocomplete: 'off', spellcheck: 'false', value: draft.winZone || '' });
  const retryOn = h('input', { type: 'checkbox', checked: !!draft.retryOn });
  const attempts = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', value: draft.attempts || '3' });
  const delay = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', value: draft.delay || '10' });
  const submit = h('button', { type: 'submit' }, 'Schedule the call');
  const box = statusBox();
  const winFields = h('div', { class: 'row', hidden: !winOn.checked },
    field('From', winStart, { name: 'callWindow.start' }),
    field('Until', winEnd, { name: 'callWindow.end' }),
    field('Time zone', winZone, { name: 'callWindow.timeZone', hint: 'Empty: each number\'s local time, from its country (or from the zone given on its line).' }),
    h('datalist', { id: listId }, zones.map((z) => h('option', { value: z }))));
  const retryFields = h('div', { class: 'row', hidden: !retryOn.checked },
    field('Calls in all', attempts, { name: 'retry.maxAttempts', hint: '1 to 10' }),
    field('Minutes between calls', delay, { name: 'retry.delaySeconds' }));

  function body() {
    const lines = parseLines(recipients.value);
    const b = { toPhoneNumbers: lines.map((l) => l.phone), promptId: prompt.value, scheduledDateTime: localToRfc3339(when.value) };
    if (winOn.checked) {
      b.callWindow = { start: winStart.value, end: winEnd.value };
      if (winZone.value.trim()) b.callWindow.timeZone = winZone.value.trim();
      const own = lines.filter((l) => l.zone);
      if (own.length) b.callWindow.recipientTimeZones = Object.fromEntries(own.map((l) => [l.phone, l.zone]));
    }
    if (retryOn.checked) b.retry = { maxAttempts: asNumber(attempts.value), delaySeconds: asNumber(delay.value, 60) };
    return { b, lines };
  }

  // Shows the API's errors: a recipient's beside its line, others beside their field.
  function showErrors(errors, lines, { focus = false } = {}) {
    clearErrors(form);
    badLines.replaceChildren();
    setStatus(box, '');
    const bad = [];
    let first = null;
    for (const e of errors) {
      const m = /^toPhoneNumbers\[(\d+)\]$/.exec(e.field || '');
      if (m && lines[Number(m[1])]) {
        const l = lines[Number(m[1])];
        bad.push(l.line);
        badLines.append(h('li', null, h('strong', null, `Line ${l.line}: `), h('span', { class: 'num' }, l.phone), ` — ${e.message}`));
        first ||= recipients;
        continue;
      }
      const c = controlFor(form, e.field);
      if (c) { setFieldError(c, e.message); first ||= c; } else setStatus(box, e.message, 'error');
    }
    if (bad.length) {
      setFieldError(recipients, bad.length === 1 ? `Line ${bad[0]} needs attention (see below).` : `Lines ${bad.join(', ')} need attention (see below).`);
    }
    const n = lines.length;
    checkSummary.textContent = !n ? '' : `${n} ${n === 1 ? 'number' : 'numbers'}${bad.length ? `, ${bad.length} with a problem` : ''}.`;
    if (focus && first) (first.tagName === 'FIELDSET' ? first.querySelector('input, select, textarea') : first).focus();
    if (focus && errors.length) setStatus(box, box.textContent || 'Please correct the marked fields.', 'error');
  }

  // The dry run: debounced 300 ms after the last edit; only the latest answer counts.
  let timer = 0, seq = 0, checking = null;
  signal.addEventListener('abort', () => { clearTimeout(timer); checking?.abort(); });
  async function check() {
    if (signal.aborted) return;
    const mine = ++seq;
    checking?.abort();
    checking = new AbortController();
    const { b, lines } = body();
    if (!lines.length) { showErrors([], lines); return; }
    try {
      const res = await request('POST', '/api/scheduled-calls?dryRun=true', { body: b, signal: checking.signal });
      const answer = await res.json();
      if (mine !== seq || res.status !== 200 || typeof answer.valid !== 'boolean') return;
      showErrors(answer.errors || [], lines);
    } catch (e) {
      if (mine !== seq || e.name === 'AbortError') return;
      // A malformed field is refused with its name; anything else (no dry run on this server) marks nothing.
      showErrors(e instanceof ApiError && e.status === 400 && controlFor(form, e.field) ? [e] : [], lines);
    }
  }

  function changed() {
    intro.textContent = prompts.find((p) => p.id === prompt.value)?.introduction || '';
    whenHint.textContent = when.value ? ` Sent as ${localToRfc3339(when.value)}.` : '';
    winFields.hidden = !winOn.checked;
    retryFields.hidden = !retryOn.checked;
    Object.assign(draft, {
      promptId: prompt.value, recipients: recipients.value, when: when.value, winOn: winOn.checked,
      winStart: winStart.value, winEnd: winEnd.value, winZone: winZone.value, retryOn: retryOn.checked,
      attempts: attempts.value, delay: delay.value,
    });
    sessionStorage.setItem(DRAFT, JSON.stringify(draft));
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  }

  file.addEventListener('change', () => {
    const f = file.files[0];
    if (!f) return;
    const reader = new FileReader();
    reader.onload = () => {
      try {
        const lines = csvToLines(parseCsv(String(reader.result)));
        const text = recipients.value;
        recipients.value = text + (text && !text.endsWith('\n') ? '\n' : '') + lines.join('\n');
        setStatus(fileBox, `Added ${lines.length} ${lines.length === 1 ? 'number' : 'numbers'} from ${f.name}.`, 'ok');
        changed();
      } catch (e) {
        setStatus(fileBox, `${f.name}: ${e.message}`, 'error');
      }
      file.value = '';
    };
    reader.onerror = () => setStatus(fileBox, `${f.name} could not be read.`, 'error');
    reader.readAsText(f);
  });

  const form = h('form', { class: 'card', novalidate: true, oninput: changed, onchange: changed, onsubmit: async (ev) => {
    ev.preventDefault();
    clearTimeout(timer);
    seq++;
    checking?.abort();
    const { b, lines } = body();
    submit.disabled = true;
    setStatus(box, 'Scheduling…');
    try {
      const res = await request('POST', '/api/scheduled-calls', { body: b, headers: { 'Idempotency-Key': draft.key }, signal });
      const call = await res.json();
      sessionStorage.removeItem(DRAFT);
      location.hash = `#/calls/${encodeURIComponent(call.id)}`;
    } catch (e) {
      if (e.name !== 'AbortError') showErrors([e], lines, { focus: true });
    } finally {
      submit.disabled = false;
    }
  } },
  field('Prompt', prompt, { name: 'promptId' }),
  h('p', { class: 'hint' }, 'The callee hears:'), intro,
  field('Phone numbers, one per line', recipients, { name: 'toPhoneNumbers',
    hint: 'With the country code, e.g. +1 415 555 2671. A line may add the number\'s time zone after a comma: +1 415 555 2671, America/Los_Angeles.' }),
  checkSummary, badLines,
  field('Add numbers from a CSV file', file, { hint: 'The column of numbers is headed phoneNumber or phone; an optional column timeZone.' }),
  fileBox,
  field(`Date and time (${zone})`, when, { name: 'scheduledDateTime', hint: [`In your time zone, ${zone}.`, whenHint] }),
  group('Calling window', 'callWindow',
    h('div', { class: 'check-field' }, winOn, h('label', { for: winOn.id = uid('f') }, 'Call only between these times of day')),
    winFields),
  group('Redial', 'retry',
    h('div', { class: 'check-field' }, retryOn, h('label', { for: retryOn.id = uid('f') }, 'Call again after busy, no answer or a failure')),
    retryFields),
  h('div', { class: 'actions' }, submit), box);

  clear(main, title, form);
  changed();
  if (!stored) clearTimeout(timer);  // nothing typed yet: nothing to check
}
