// Needs GET /api/live-calls and POST /api/call-logs/{id}/hangup. A call in progress is listed with
// how long it has run; "Hang up" (after a confirmation) ends it and it leaves the list.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrive, checkA11y, signIn, until, withStack } from './harness.mjs';

const SCENARIO = { callsPerSecond: 100, default: { ringSeconds: 0.1, hangupAfterSeconds: 90 } };

test('a live call is listed and hung up', () =>
  withStack('live-calls', { scenario: SCENARIO }, async ({ page, stack }) => {
    const prompt = await stack.createPrompt();
    const call = await stack.api('POST', '/api/scheduled-calls', {
      toPhoneNumbers: ['+14155552671'], promptId: prompt.id, scheduledDateTime: new Date().toISOString(),
    });
    await until(async () => (await stack.api('GET', '/api/live-calls')).items.length === 1, { what: 'a live call' });
    await signIn(page, stack);
    await page.getByRole('link', { name: 'Live calls' }).click();
    await arrive(page, 'Live calls');
    const row = page.locator('tbody tr').filter({ hasText: '+14155552671' });
    await row.waitFor();
    await page.waitForFunction(() => /^\d+:\d\d$/.test(document.querySelector('tbody td[data-label="Running for"]')?.textContent.trim()));
    await checkA11y(page, 'live calls');

    await row.getByRole('button', { name: 'Hang up' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Hang up' }).click();
    await page.getByText('No calls in progress.').waitFor({ timeout: 30000 });
    await until(async () => (await stack.api('GET', `/api/scheduled-calls/${call.id}`)).status === 'completed',
      { what: 'the call to end' });
    const logs = await stack.api('GET', `/api/call-logs?scheduledCallId=${call.id}`);
    assert.ok(logs.items[0].endedAt);
  }));
