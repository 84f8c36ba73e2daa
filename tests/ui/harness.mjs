// The browser tests' harness: `voiceagent sim` as Twilio and `voiceagent serve` pointed at it (each
// on port 0, as tests/integration/dispatch_process.cpp starts them), the system's Chromium driven by
// playwright-core, and checks every test wants: no console errors, no CSP violations, no serious
// or critical axe-core violations on any page visited.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const deps = process.env.VA_UI_TEST_DEPS || join(root, '.deps', 'ui-test');
const requireDep = createRequire(join(deps, 'package.json'));
let chromium, axeSource;
try {
  ({ chromium } = requireDep('playwright-core'));
  axeSource = readFileSync(requireDep.resolve('axe-core/axe.min.js'), 'utf8');
} catch (e) {
  throw new Error(`playwright-core or axe-core is missing from ${deps}: run scripts/setup (${e.message})`);
}

export const binary = process.env.VA_BINARY || join(root, 'build', 'ui', 'src', 'app', 'voiceagent');
export const TOKEN = 'ui-test-token-0123456789abcdef0123456789';  // 40 characters
export const SIM_ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const SIM_AUTH_TOKEN = 'ui-test-twilio-auth-token';
export const SCREENSHOTS = join(root, 'build', 'ui-screenshots');

// The simulator answers every number at once and hangs up after a few seconds.
export const QUICK_SCENARIO = { callsPerSecond: 100, default: { ringSeconds: 0.1, hangupAfterSeconds: 3 } };

// Polls `check` (sync or async) every 50 ms until it returns a truthy value; that value is returned.
// For state in another process; in the page, playwright's own waits are used.
export async function until(check, { timeout = 30000, what = 'a condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

class Child {
  constructor(name, args, env) {
    this.name = name;
    this.stderr = '';
    // The machine's settings for voiceagent stay out: each process gets only what the test gives.
    const base = Object.fromEntries(Object.entries(process.env)
      .filter(([k]) => !/^(VA_|TWILIO_|LLM_|DEEPGRAM_|ELEVENLABS_|OPENAI_)/.test(k)));
    this.proc = spawn(binary, args, { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    this.proc.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-20000); });
    const lines = createInterface({ input: this.proc.stdout });
    this.url = new Promise((resolve, reject) => {
      lines.once('line', (line) => {
        const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        if (m) resolve(m[1]); else reject(new Error(`${name}: unexpected first line ${line}`));
      });
      this.exited.then(({ code, signal }) => reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${this.stderr}`)));
    });
    lines.on('line', () => {});  // keep draining
  }

  async stop() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.exited;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 25000);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

// sim + serve. `tokens: false` runs serve without API tokens (local mode). `dispatcher: true`
// runs serve as `--role web` and a `--role dispatcher` process beside it on the same store (the
// dispatcher's calls reach the web process's webhooks: its public URL is the web process's).
export async function startStack({ scenario = QUICK_SCENARIO, serveArgs = [], tokens = true, dispatcher = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'va-ui-'));
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify(scenario));
  writeFileSync(join(dir, 'twilio-auth-token'), `${SIM_AUTH_TOKEN}\n`);
  const sim = new Child('sim', ['sim', '--listen', '127.0.0.1:0', '--account-sid', SIM_ACCOUNT,
    '--scenario', join(dir, 'scenario.json')], { TWILIO_AUTH_TOKEN: SIM_AUTH_TOKEN });
  let serve, dialer;
  try {
    const simUrl = await sim.url;
    const common = ['--listen', '127.0.0.1:0', '--db', `sqlite:${join(dir, 'va.db')}`,
      '--twilio-api-base', simUrl, '--twilio-account-sid', SIM_ACCOUNT, '--twilio-from', '+15005550006',
      '--twilio-auth-token-file', join(dir, 'twilio-auth-token'),
      '--min-hours-between-calls-to-a-number', '0', '--calls-per-second', '10'];
    const args = ['serve', ...common, '--public-url', 'http://127.0.0.1:0'];
    if (!serveArgs.includes('--agent')) args.push('--agent', 'greeting');
    if (dispatcher) args.push('--role', 'web');
    args.push(...serveArgs);
    serve = new Child('serve', args, tokens ? { VA_API_TOKENS: TOKEN } : {});
    const url = await serve.url;
    if (dispatcher) {
      dialer = new Child('dispatcher', ['serve', ...common, '--role', 'dispatcher', '--public-url', url,
        '--dispatch-sweep-seconds', '1'], {});
      await dialer.url;
    }
    return new Stack(dir, sim, serve, url, tokens, dialer);
  } catch (e) {
    await dialer?.stop();
    await serve?.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

class Stack {
  constructor(dir, sim, serve, url, tokens, dispatcher) {
    Object.assign(this, { dir, sim, serve, url, tokens, dispatcher });
  }

  // The API from the test itself (setting up data, reading state).
  async api(method, path, body, headers = {}) {
    const res = await fetch(this.url + path, {
      method,
      headers: { ...(this.tokens ? { Authorization: `Bearer ${TOKEN}` } : {}), ...(method === 'GET' ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return json;
  }

  createPrompt(fields = {}) {
    return this.api('POST', '/api/prompts', {
      name: 'Reminder', content: 'You remind people of their appointment. Be brief.',
      introduction: 'Hello! This is a quick reminder call.', ...fields,
    });
  }

  async stop() {
    await this.dispatcher?.stop();
    const results = await Promise.all([this.serve.stop(), this.sim.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
    return results;
  }
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.VA_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page that records console errors, uncaught exceptions and CSP violations. API answers the UI
// handles (a 401 at sign-in, a 409, a 422) make Chromium log "Failed to load resource" for the
// request: those are expected for /api/ and not counted; for anything else (an asset) they are.
export async function newPage(browser, stack, { width = 1280, height = 900, timezoneId = 'Europe/Paris' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, timezoneId, locale: 'en-US' });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location()?.url || '';
    if (/^Failed to load resource/.test(m.text()) && where.startsWith(`${stack.url}/api/`)) return;
    problems.push(`console: ${m.text()} (${where})`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  await page.exposeFunction('__vaCspViolation', (text) => problems.push(`CSP: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__vaCspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  page.problems = problems;
  page.setDefaultTimeout(20000);
  return page;
}

// axe-core on the page as it is now: no serious or critical violation. Evaluated through the
// DevTools protocol, which the page's CSP does not govern (an injected <script> would be blocked).
export async function checkA11y(page, label) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    const text = bad.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 5).map((n) => n.target.join(' ')).join('\n    ')}`).join('\n  ');
    throw new Error(`axe on ${label}:\n  ${text}`);
  }
}

export function assertNoProblems(page) {
  if (page.problems.length) throw new Error(`browser problems:\n  ${page.problems.join('\n  ')}`);
}

// Waits for the page's heading (each route renders an <h1>) and checks it.
export async function arrive(page, heading, { a11y = true } = {}) {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  if (a11y) await checkA11y(page, heading);
}

export async function signIn(page, stack) {
  await page.goto(stack.url + '/');
  await page.getByLabel('API token').fill(TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

// A datetime-local value `minutes` from now in `timeZone` (what an operator there would type).
export function localInput(minutes, timeZone = 'Europe/Paris') {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(Date.now() + minutes * 60000)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

// Runs `body(ctx)` with a stack, a browser and a page; always screenshots the last page and stops
// everything. ctx: {stack, browser, page}.
export async function withStack(name, options, body) {
  const stack = await startStack(options);
  const browser = await launch();
  let page;
  try {
    page = await newPage(browser, stack, options.page);
    await body({ stack, browser, page });
    assertNoProblems(page);
  } catch (e) {
    if (stack.serve.stderr) e.message += `\n--- serve stderr (last lines) ---\n${stack.serve.stderr.split('\n').slice(-15).join('\n')}`;
    throw e;
  } finally {
    if (page) await screenshot(page, name).catch(() => {});
    await browser.close();
    const [serveExit, simExit] = await stack.stop();
    if (serveExit.code !== 0 && serveExit.signal == null) console.error(`serve exited with ${serveExit.code}`);
    if (simExit.code !== 0 && simExit.signal == null) console.error(`sim exited with ${simExit.code}`);
  }
}
