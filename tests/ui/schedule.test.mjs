// Scheduling: three recipients pasted one per line, then two more from a CSV file (quoted fields);
// the time goes out as RFC 3339 with the operator's offset, each form under one Idempotency-Key
// (a lost answer and a second click schedule once); the table shows the calls and their counts.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { arrive, checkA11y, localInput, signIn, until, withStack } from './harness.mjs';

const ZONE = 'America/New_York';

// "-05:00" (or "-04:00" in summer) for a datetime-local value in ZONE.
function offsetOf(localValue) {
  const guess = new Date(`${localValue}:00Z`);
  const name = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, timeZoneName: 'longOffset' })
    .formatToParts(guess).find((p) => p.type === 'timeZoneName').value;  // "GMT-05:00"
  return name.replace('GMT', '') || '+00:00';
}

test('schedule from a pasted list and from a CSV file; the table shows both', () =>
  withStack('schedule', { page: { timezoneId: ZONE } }, async ({ page, stack }) => {
    const prompt = await stack.createPrompt({ name: 'Clinic', introduction: 'Hello, this is the clinic.' });
    await stack.createPrompt({ name: 'Sales', introduction: 'Hi, this is Acme sales.' });
    const posts = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (r.method() === 'POST' && url.pathname === '/api/scheduled-calls' && !url.searchParams.has('dryRun')) {
        posts.push({ key: r.headers()['idempotency-key'], body: JSON.parse(r.postData()) });
      }
    });
    await signIn(page, stack);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedule a call' }).click();
    await arrive(page, 'Schedule a call');

    // The picker shows the chosen prompt's introduction.
    await page.getByLabel('Prompt', { exact: true }).selectOption({ label: 'Sales' });
    await page.getByText('Hi, this is Acme sales.').waitFor();
    await page.getByLabel('Prompt', { exact: true }).selectOption({ label: 'Clinic' });
    await page.getByText('Hello, this is the clinic.').waitFor();

    await page.getByLabel('Phone numbers, one per line').fill('+1 415 555 2671\n\n+14155552672\n+1 (415) 555-2673\n');
    const when = localInput(0, ZONE);
    const date = page.getByLabel(`Date and time (${ZONE})`);
    await date.fill(when);
    await page.getByText(`Sent as ${when}:00${offsetOf(when)}.`).waitFor();
    await checkA11y(page, 'schedule, filled in');
    await page.getByRole('button', { name: 'Schedule the call' }).click();
    await arrive(page, 'Scheduled call');

    assert.equal(posts.length, 1);
    assert.match(posts[0].key, /^[0-9a-f-]{32,36}$/);
    assert.deepEqual(posts[0].body, {
      toPhoneNumbers: ['+1 415 555 2671', '+14155552672', '+1 (415) 555-2673'],
      promptId: prompt.id,
      scheduledDateTime: `${when}:00${offsetOf(when)}`,
    });
    const first = decodeURIComponent(page.url().split('#/calls/')[1]);
    const created = await stack.api('GET', `/api/scheduled-calls/${first}`);
    assert.deepEqual(created.toPhoneNumbers, ['+14155552671', '+14155552672', '+14155552673']);
    await until(async () => (await stack.api('GET', `/api/scheduled-calls/${first}`)).status === 'completed',
      { timeout: 60000, what: 'the three calls to end' });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('va.draft.schedule')), null, 'the draft is gone after success');

    // From a CSV file: the phone column by its header, quoted fields with commas, quotes and a line break.
    const csv = join(stack.dir, 'recipients.csv');
    writeFileSync(csv, '\uFEFFname,"phone",note\r\n"Doe, Jane",+1 415 555 2674,"said ""after 5"""\r\n' +
      'Bob,+14155552675,"two\r\nlines"\r\n,,\r\n');
    await page.getByRole('link', { name: 'Schedule a call' }).click();
    await arrive(page, 'Schedule a call', { a11y: false });
    await page.getByLabel('Add numbers from a CSV file').setInputFiles(csv);
    await page.getByText('Added 2 numbers from recipients.csv.').waitFor();
    assert.equal(await page.getByLabel('Phone numbers, one per line').inputValue(), '+1 415 555 2674\n+14155552675');
    await date.fill(localInput(0, ZONE));

    // The first answer is lost on the way back: the call exists, the page does not know it. After
    // a reload the draft is back with its key: sent again, the same call comes back, not a new one.
    let lose = true;
    await page.route('**/api/scheduled-calls', async (route) => {
      if (!lose) return route.continue();
      lose = false;
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'Schedule the call' }).click();
    await page.getByText('The server cannot be reached').waitFor();
    await page.reload();
    await arrive(page, 'Schedule a call', { a11y: false });
    assert.equal(await page.getByLabel('Phone numbers, one per line').inputValue(), '+1 415 555 2674\n+14155552675');
    await page.getByRole('button', { name: 'Schedule the call' }).click();
    await arrive(page, 'Scheduled call', { a11y: false });
    assert.equal(posts.length, 3);
    assert.equal(posts[1].key, posts[2].key);
    assert.notEqual(posts[1].key, posts[0].key);
    const second = decodeURIComponent(page.url().split('#/calls/')[1]);
    const all = await stack.api('GET', '/api/scheduled-calls');
    assert.equal(all.items.length, 2, 'scheduled once');
    assert.deepEqual((await stack.api('GET', `/api/scheduled-calls/${second}`)).toPhoneNumbers, ['+14155552674', '+14155552675']);
    await until(async () => (await stack.api('GET', `/api/scheduled-calls/${second}`)).status === 'completed',
      { timeout: 60000, what: 'the CSV calls to end' });

    // The table: both calls, their statuses and counts; the filter by status.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scheduled calls' }).click();
    await arrive(page, 'Scheduled calls');
    const rows = page.locator('tbody tr');
    await until(async () => (await rows.count()) === 2, { what: 'two rows' });
    await page.getByRole('cell', { name: '3 completed' }).waitFor();
    await page.getByRole('cell', { name: '2 completed' }).waitFor();
    await page.getByLabel('Status').selectOption('canceled');
    await page.getByText('No canceled calls.').waitFor();
    assert.ok(page.url().endsWith('#/calls?status=canceled'));
    await page.getByLabel('Status').selectOption('completed');
    await page.getByRole('cell', { name: '3 completed' }).waitFor();
    assert.equal(await rows.count(), 2);
    await checkA11y(page, 'the table');
  }));
