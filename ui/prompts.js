// Prompts: the list, and one prompt's form (create or edit), with "Listen" for its introduction.
import { h, clear, heading, timeEl, statusBox, setStatus, confirmDialog } from './util.js';
import { api, get, request, qs, field, group, clearErrors, showError } from './api.js';

let flash = '';  // a message for the next page ("Prompt saved.")

export async function list({ main, signal }) {
  const items = h('ul', { class: 'cards' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more');
  const box = statusBox();
  clear(main, heading('Prompts'),
    h('p', null, h('a', { class: 'button', href: '#/prompts/new' }, 'New prompt')),
    items, more, box);
  let cursor = null;
  async function load() {
    more.disabled = true;
    const page = await get(`/api/prompts${qs({ limit: 50, cursor })}`, { signal });
    for (const p of page.items) {
      items.append(h('li', { class: 'card' },
        h('h2', null, h('a', { href: `#/prompts/${encodeURIComponent(p.id)}` }, p.name)),
        h('p', { class: 'quote' }, p.introduction),
        h('p', { class: 'meta' }, 'Updated ', timeEl(p.updatedAt))));
    }
    if (!items.children.length) items.append(h('li', null, 'No prompts yet.'));
    cursor = page.nextCursor;
    more.hidden = !cursor;
    more.disabled = false;
  }
  more.addEventListener('click', () => load().catch((e) => setStatus(box, e.message, 'error')));
  await load();
}

// Conversation settings (ConversationSettings in openapi.json): [name, label, kind, hint].
const SETTINGS = [
  ['endOfTurnMs', 'Silence that ends the callee\'s turn (ms)', 'int', '100 to 10,000'],
  ['minSpeechMs', 'Shortest speech that counts as a turn (ms)', 'int', '50 to 5,000'],
  ['maxTurnMs', 'Longest turn of the callee (ms)', 'int', '1,000 to 300,000'],
  ['bargeIn', 'The callee may interrupt the agent', 'bool'],
  ['bargeInMs', 'Speech over the agent that interrupts it before its words are known (ms)', 'int', '50 to 5,000'],
  ['bargeInDuringGreeting', 'The callee may interrupt the introduction', 'bool'],
  ['repromptAfterMs', 'Silence before "Are you still there?" (ms)', 'int', '1,000 to 600,000'],
  ['hangupAfterMs', 'Silence before a goodbye and hang-up (ms)', 'int', '1,000 to 3,600,000'],
  ['maxCallMs', 'Longest conversation (ms)', 'int', '10,000 to 14,400,000'],
  ['fillerAfterMs', 'Say "Let me check." when the model is silent this long (ms)', 'int', '200 to 10,000; empty: never'],
  ['llmModel', 'Language model', 'text', 'A model the deployment allows'],
  ['ttsVoice', 'Voice', 'text', 'e.g. espeak:en-us, flite:slt, elevenlabs:<voice id>, openai:<voice>'],
  ['stt', 'Speech recogniser', ['pocketsphinx', 'deepgram']],
  ['sttGrammar', 'Expected answers (JSGF grammar, pocketsphinx only)', 'area'],
];

function settingControl([name, , kind]) {
  if (kind === 'bool' || Array.isArray(kind)) {
    const options = kind === 'bool' ? [['true', 'Yes'], ['false', 'No']] : kind.map((v) => [v, v]);
    return h('select', null, h('option', { value: '' }, 'Server setting'),
      options.map(([v, t]) => h('option', { value: v }, t)));
  }
  if (kind === 'area') return h('textarea', { rows: 3, spellcheck: 'false' });
  return h('input', { type: 'text', inputmode: kind === 'int' ? 'numeric' : 'text', autocomplete: 'off' });
}

export async function edit({ main, id, signal }) {
  const prompt = id ? await get(`/api/prompts/${encodeURIComponent(id)}`, { signal }) : null;
  const name = h('input', { type: 'text', autocomplete: 'off' });
  const content = h('textarea', { rows: 8 });
  const intro = h('textarea', { rows: 3 });
  const controls = new Map(SETTINGS.map((s) => [s[0], settingControl(s)]));
  const conv = prompt?.conversation || {};
  name.value = prompt?.name || '';
  content.value = prompt?.content || '';
  intro.value = prompt?.introduction || '';
  for (const [k, c] of controls) c.value = conv[k] == null ? '' : String(conv[k]);
  const box = statusBox();
  const save = h('button', { type: 'submit' }, prompt ? 'Save changes' : 'Create prompt');

  const form = h('form', { class: 'card', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = { name: name.value, content: content.value, introduction: intro.value };
    const conversation = {};
    for (const [[k, , kind], c] of SETTINGS.map((s) => [s, controls.get(s[0])])) {
      const v = c.value.trim();
      if (v === '') continue;
      // Numbers as numbers when they are; anything else as typed, for the API to name the problem.
      conversation[k] = kind === 'bool' ? v === 'true' : kind === 'int' && /^-?\d+$/.test(v) ? Number(v) : v;
    }
    if (Object.keys(conversation).length) body.conversation = conversation;
    save.disabled = true;
    setStatus(box, 'Saving…');
    try {
      if (prompt) {
        await api('PUT', `/api/prompts/${encodeURIComponent(prompt.id)}`, { body, signal });
        setStatus(box, 'Saved.', 'ok');
      } else {
        const created = await api('POST', '/api/prompts', { body, signal });
        flash = 'Prompt created.';
        location.hash = `#/prompts/${encodeURIComponent(created.id)}`;
      }
    } catch (e) {
      if (e.name !== 'AbortError') showError(form, e, box);
    } finally {
      save.disabled = false;
    }
  } },
  field('Name', name, { name: 'name' }),
  field('Instructions for the agent', content, { name: 'content', hint: 'The system prompt: who the agent is and what the call is for.' }),
  field('Introduction', intro, { name: 'introduction', hint: 'Spoken as soon as the callee answers (at most 1,000 characters).' }),
  h('details', { open: Object.keys(conv).some((k) => conv[k] != null) },
    h('summary', null, 'Conversation settings'),
    group('Leave a setting empty to use the server\'s', 'conversation',
      SETTINGS.map((s) => field(s[1], controls.get(s[0]), { name: `conversation.${s[0]}`, hint: typeof s[2] === 'string' && s[3] })))),
  h('div', { class: 'actions' }, save, prompt && h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete prompt')),
  box);

  async function remove() {
    if (!await confirmDialog(`Delete the prompt "${prompt.name}"? Calls already scheduled with it keep their copy.`, 'Delete prompt')) return;
    try {
      await api('DELETE', `/api/prompts/${encodeURIComponent(prompt.id)}`, { signal });
      location.hash = '#/prompts';
    } catch (e) {
      if (e.name !== 'AbortError') showError(form, e, box);
    }
  }

  clear(main, heading(prompt ? `Prompt: ${prompt.name}` : 'New prompt'),
    h('p', { class: 'actions' }, h('a', { href: '#/prompts' }, 'All prompts'),
      prompt && h('a', { href: `#/schedule?prompt=${encodeURIComponent(prompt.id)}` }, 'Schedule a call with this prompt')),
    prompt && listenPanel(prompt, signal), form);
  if (flash) { setStatus(box, flash, 'ok'); flash = ''; }
}

// Fetches the saved introduction as WAV with the token and plays it from an object URL.
function listenPanel(prompt, signal) {
  const audio = h('audio', { controls: true, hidden: true, 'aria-label': 'The introduction, as callees hear it' });
  const box = statusBox();
  let url = '';
  signal.addEventListener('abort', () => url && URL.revokeObjectURL(url));
  const button = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    button.disabled = true;
    setStatus(box, 'Preparing the audio…');
    try {
      const res = await request('GET', `/api/prompts/${encodeURIComponent(prompt.id)}/introduction.wav`, { signal });
      const blob = await res.blob();
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(blob);
      audio.src = url;
      audio.hidden = false;
      setStatus(box, '');
      audio.play().catch(() => {});  // no sound device, or the browser wants another click: the controls remain
    } catch (e) {
      if (e.name !== 'AbortError') setStatus(box, e.status === 404 ? `Cannot play the introduction: ${e.message}` : e.message, 'error');
    } finally {
      button.disabled = false;
    }
  } }, 'Listen to the introduction');
  return h('section', { class: 'card', 'aria-label': 'Listen' },
    h('p', null, button, ' ', h('span', { class: 'hint' }, '(as last saved)')), audio, box);
}
