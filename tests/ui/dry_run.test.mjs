// Needs POST /api/scheduled-calls?dryRun=true. The schedule form checks itself only through the
// API's dry run, 300 ms after the last edit: a bad line is marked with the API's reason, a time an
// hour in the past is refused beside the date; nothing is stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrive, checkA11y, localInput, signIn, withStack } from './harness.mjs';

test('the dry run marks a bad line and a past time, in the API\'s words', () =>
  withStack('dry-run', {}, async ({ page, stack }) => {
    const prompt = await stack.createPrompt();
    const dryRuns = [];
    page.on('request', (r) => { if (r.url().includes('dryRun=true')) dryRuns.push(JSON.parse(r.postData())); });
    await signIn(page, stack);
    await page.goto(`${stack.url}/#/schedule`);
    await arrive(page, 'Schedule a call', { a11y: false });
    const date = page.getByLabel('Date and time (Europe/Paris)');
    await date.fill(localInput(10));

    // Typed key by key: one check once the typing stops, not one per key.
    const numbers = page.getByLabel('Phone numbers, one per line');
    const before = dryRuns.length;
    await numbers.pressSequentially('+1 415 555 2671\n12345\n+1 415 555 2673', { delay: 20 });
    const bad = page.locator('.bad-lines li');
    await bad.first().waitFor();
    assert.equal(await bad.count(), 1);
    assert.ok(dryRuns.length - before <= 2, `${dryRuns.length - before} dry runs for one burst of typing`);
    const body = dryRuns[dryRuns.length - 1];
    assert.deepEqual(body.toPhoneNumbers, ['+1 415 555 2671', '12345', '+1 415 555 2673']);
    const answer = await stack.api('POST', '/api/scheduled-calls?dryRun=true', body);
    assert.equal(answer.valid, false);
    const reason = answer.errors.find((e) => e.field === 'toPhoneNumbers[1]');
    assert.ok(reason, JSON.stringify(answer));
    assert.equal(await bad.first().textContent(), `Line 2: 12345 — ${reason.message}`);
    assert.equal(await numbers.getAttribute('aria-invalid'), 'true');
    await checkA11y(page, 'a bad line marked');

    // An hour in the past: refused next to the date field.
    await date.fill(localInput(-60));
    const dateError = page.locator(`[id="${(await date.getAttribute('aria-describedby')).split(' ').pop()}"]`);
    await page.waitForFunction((id) => document.getElementById(id)?.textContent, (await date.getAttribute('aria-describedby')).split(' ').pop());
    const past = await stack.api('POST', '/api/scheduled-calls?dryRun=true', dryRuns[dryRuns.length - 1]);
    const timeError = past.errors.find((e) => e.field === 'scheduledDateTime');
    assert.ok(timeError, JSON.stringify(past));  // code invalid_date_time (the brief said invalid_value; the UI shows only the message)
    assert.equal(await dateError.textContent(), timeError.message);
    assert.equal(await date.getAttribute('aria-invalid'), 'true');

    // Fixed: every mark goes away.
    await date.fill(localInput(10));
    await numbers.fill('+1 415 555 2671\n+1 415 555 2672\n+1 415 555 2673');
    await page.getByText('3 numbers.').waitFor();
    await bad.first().waitFor({ state: 'detached' });
    assert.equal(await dateError.textContent(), '');
    assert.equal(await numbers.getAttribute('aria-invalid'), null);

    const stored = await stack.api('GET', '/api/scheduled-calls');
    assert.equal(stored.items.length, 0, 'a dry run stores nothing');
    assert.ok(dryRuns.every((b) => b.promptId === prompt.id));
  }));
