// The shell: sign-in, navigation and hash routes (#/prompts, #/calls/ID, ...).
import { h, clear, heading, zoneName, statusBox, setStatus } from './util.js';
import { session, setToken, authHeaders, field } from './api.js';
import * as prompts from './prompts.js';
import * as schedule from './schedule.js';
import * as calls from './calls.js';
import * as logs from './logs.js';
import * as live from './live.js';

const routes = [
  [/^\/calls$/, calls.list],
  [/^\/calls\/([^/]+)$/, calls.detail],
  [/^\/schedule$/, schedule.page],
  [/^\/prompts$/, prompts.list],
  [/^\/prompts\/new$/, prompts.edit],
  [/^\/prompts\/([^/]+)$/, prompts.edit],
  [/^\/logs\/([^/]+)$/, logs.detail],
  [/^\/live$/, live.page],
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let leave = null;     // the current page's AbortController
let rendered = false;  // focus the heading on navigation, not on the first load

function parseHash() {
  const hash = location.hash.replace(/^#/, '') || '/calls';
  const [path, query = ''] = hash.split('?');
  return { path, query: new URLSearchParams(query) };
}

async function route() {
  if (session.mode === 'token' && !session.token) return;
  leave?.abort();
  leave = new AbortController();
  const { path, query } = parseHash();
  const match = routes.map(([re, page]) => [path.match(re), page]).find(([m]) => m);
  for (const a of nav.querySelectorAll('a')) {
    const here = path === a.getAttribute('href').slice(1) || path.startsWith(`${a.getAttribute('href').slice(1)}/`);
    if (here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  nav.hidden = false;
  clear(main);
  const focus = rendered;
  rendered = true;
  if (!match) {
    clear(main, heading('Page not found'), h('p', null, h('a', { href: '#/calls' }, 'Go to the scheduled calls')));
  } else {
    const [m, page] = match;
    const signal = leave.signal;
    try {
      await page({ main, id: m[1] && decodeURIComponent(m[1]), query, signal });
    } catch (e) {
      if (e.name === 'AbortError' || signal.aborted) return;
      if (!main.querySelector('h1')) main.prepend(heading('Something went wrong'));
      main.append(h('p', { class: 'status error', role: 'alert' }, e.message || String(e)));
    }
  }
  if (focus) main.querySelector('h1')?.focus();
}

// Without a token: 200 means the server runs without tokens (local use), 401 that it wants one.
async function probe(token) {
  const res = await fetch('/api/prompts?limit=1', { headers: authHeaders(token), cache: 'no-store' });
  const body = res.ok ? null : await res.json().catch(() => null);
  return { status: res.status, message: body?.error?.message || `${res.status} ${res.statusText}` };
}

function showSignIn(message = '') {
  leave?.abort();
  nav.hidden = true;
  document.getElementById('signout').hidden = true;
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true });
  const box = statusBox();
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'card narrow', novalidate: true, onsubmit: async (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) { setStatus(box, 'Enter your API token.', 'error'); input.focus(); return; }
    button.disabled = true;
    setStatus(box, 'Checking…');
    try {
      const r = await probe(token);
      if (r.status === 200) {
        setToken(token);
        signedIn();
        rendered = true;
        await route();
        main.querySelector('h1')?.focus();
      } else if (r.status === 401) {
        setStatus(box, 'That token was not accepted. Check it and try again.', 'error');
        input.setAttribute('aria-invalid', 'true');
        input.select();
      } else {
        setStatus(box, r.message, 'error');
      }
    } catch {
      setStatus(box, 'The server cannot be reached. Try again in a moment.', 'error');
    } finally {
      button.disabled = false;
    }
  } },
  field('API token', input, { hint: 'Kept in this browser tab only, until you sign out or close the tab.' }),
  button, box);
  clear(main, heading('Sign in'), message && h('p', { class: 'status error', role: 'alert' }, message), form);
  input.focus();
}

function signedIn() {
  document.getElementById('signout').hidden = session.mode !== 'token';
}

// `forget`: the operator signs out, and drafts (they hold phone numbers) leave too; a token that
// stopped working keeps them for the next sign-in.
function signOut(message, forget = false) {
  setToken('');
  if (forget) for (const k of Object.keys(sessionStorage)) if (k.startsWith('va.')) sessionStorage.removeItem(k);
  showSignIn(message);
}

async function start() {
  document.getElementById('zone').textContent = zoneName();
  document.querySelector('.skip').addEventListener('click', (ev) => { ev.preventDefault(); main.focus(); });
  document.getElementById('signout').addEventListener('click', () => signOut('', true));
  window.addEventListener('va:unauthorized', () => {
    if (session.mode === 'token') signOut('Your token is no longer accepted. Sign in again.');
  });
  window.addEventListener('hashchange', route);
  let first;
  try {
    first = await probe('');
  } catch {
    clear(main, heading('voiceagent'), h('p', { class: 'status error', role: 'alert' },
      'The server cannot be reached. Reload the page to try again.'));
    return;
  }
  if (first.status === 200) {
    session.mode = 'open';
  } else if (first.status === 401) {
    session.mode = 'token';
    if (!session.token) return showSignIn();
    const again = await probe(session.token);
    if (again.status !== 200) return signOut('Your token is no longer accepted. Sign in again.');
  } else {
    clear(main, heading('voiceagent'), h('p', { class: 'status error', role: 'alert' }, first.message));
    return;
  }
  signedIn();
  await route();
}

start();
