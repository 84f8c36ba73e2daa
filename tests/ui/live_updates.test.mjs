// Needs GET /api/scheduled-calls/{id}/events and the counts field. The detail page follows the
// call by server push (fetch + text/event-stream, with the token in a header): recipients reach
// their final states on screen without a reload and without polling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrive, localInput, signIn, withStack } from './harness.mjs';

const SCENARIO = {
  callsPerSecond: 100,
  default: { ringSeconds: 1, hangupAfterSeconds: 3 },
  numbers: { '+14155552673': { outcome: 'busy', ringSeconds: 2 } },
};

// Once with one `--role all` process, once with a `web` process and a `dispatcher` process on one
// store: then the dialing the page shows was done by the other process, and reaches the page
// through the store.
for (const [name, dispatcher] of [['live-updates', false], ['live-updates-split', true]]) test(
  `the detail page moves recipients to their final states live (${dispatcher ? 'web + dispatcher' : 'role all'})`, () =>
  withStack(name, { scenario: SCENARIO, dispatcher }, async ({ page, stack }) => {
    await stack.createPrompt();
    const requests = [];
    let navigations = 0;
    page.on('request', (r) => requests.push({ path: new URL(r.url()).pathname, type: r.resourceType(), auth: r.headers().authorization }));
    await signIn(page, stack);
    await page.goto(`${stack.url}/#/schedule`);
    await arrive(page, 'Schedule a call', { a11y: false });
    await page.getByLabel('Phone numbers, one per line').fill('+1 415 555 2671\n+1 415 555 2672\n+1 415 555 2673');
    await page.getByLabel('Date and time (Europe/Paris)').fill(localInput(0));
    page.on('framenavigated', () => navigations++);
    await page.getByRole('button', { name: 'Schedule the call' }).click();
    await arrive(page, 'Scheduled call');
    const id = decodeURIComponent(page.url().split('#/calls/')[1]);
    await page.getByText('Updates as it happens.').waitFor();
    const afterOpen = requests.filter((r) => r.path === `/api/scheduled-calls/${id}`).length;

    const row = (n) => page.locator(`tr[data-number="${n}"]`);
    await row('+14155552671').getByText('completed', { exact: true }).waitFor({ timeout: 60000 });
    await row('+14155552672').getByText('completed', { exact: true }).waitFor({ timeout: 60000 });
    await row('+14155552673').getByText('busy', { exact: true }).waitFor({ timeout: 60000 });
    await page.locator('#call-status').getByText('completed').waitFor();
    await page.locator('#call-counts').getByText('2 completed, 1 busy').waitFor();
    await row('+14155552671').getByRole('link', { name: 'Call log' }).waitFor();

    const events = requests.filter((r) => r.path === `/api/scheduled-calls/${id}/events`);
    assert.ok(events.length >= 1);
    assert.ok(events.every((r) => r.type === 'fetch' && r.auth?.startsWith('Bearer ')));
    assert.equal(requests.filter((r) => r.path === `/api/scheduled-calls/${id}`).length, afterOpen, 'no polling');
    assert.equal(navigations, 1, 'one navigation (to the new call), no reload');
  }));

// The stream drops (here: the first answer is one event and the end of the body): the page shows
// what that event said, says it is reconnecting, reconnects by itself and shows the server's state.
test('the detail page reconnects when the event stream drops', () =>
  withStack('live-reconnect', {}, async ({ page, stack }) => {
    const prompt = await stack.createPrompt();
    const call = await stack.api('POST', '/api/scheduled-calls', {
      toPhoneNumbers: ['+14155552671'], promptId: prompt.id, scheduledDateTime: new Date(Date.now() + 3600e3).toISOString(),
    });
    let opened = 0;
    await page.route(`**/api/scheduled-calls/${call.id}/events`, async (route) => {
      if (++opened > 1) return route.continue();
      const ringing = { ...call, recipients: call.recipients.map((r) => ({ ...r, status: 'ringing' })) };
      await route.fulfill({
        status: 200, contentType: 'text/event-stream',
        body: `: ping\r\n\r\nevent: scheduled-call\r\ndata: ${JSON.stringify(ringing)}\r\n\r\n`,
      });
    });
    await signIn(page, stack);
    await page.goto(`${stack.url}/#/calls/${call.id}`);
    await arrive(page, 'Scheduled call', { a11y: false });
    const status = page.locator('tr[data-number="+14155552671"] .badge');
    // For the backoff's first wait (about a second) the page shows the dropped stream's last word.
    await status.getByText('ringing', { exact: true }).waitFor();
    await page.getByText('Connection lost; reconnecting…').waitFor();
    await page.getByText('Updates as it happens.').waitFor();
    await status.getByText('pending', { exact: true }).waitFor();
    assert.equal(opened, 2);
  }));
