// Cancel: a call scheduled an hour ahead is pending; "Cancel" asks first (and "Keep it" keeps it),
// then the call and its recipients are canceled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrive, checkA11y, localInput, signIn, withStack } from './harness.mjs';

test('cancel a pending call after a confirmation', () =>
  withStack('cancel', {}, async ({ page, stack }) => {
    await stack.createPrompt();
    await signIn(page, stack);
    await page.goto(`${stack.url}/#/schedule`);
    await arrive(page, 'Schedule a call', { a11y: false });
    await page.getByLabel('Phone numbers, one per line').fill('+1 415 555 2671\n+1 415 555 2672');
    await page.getByLabel('Date and time (Europe/Paris)').fill(localInput(60));
    await page.getByRole('button', { name: 'Schedule the call' }).click();
    await arrive(page, 'Scheduled call');
    const id = decodeURIComponent(page.url().split('#/calls/')[1]);
    assert.equal((await stack.api('GET', `/api/scheduled-calls/${id}`)).status, 'pending');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scheduled calls' }).click();
    await arrive(page, 'Scheduled calls');
    const row = page.locator('tbody tr').filter({ has: page.locator(`a[href="#/calls/${id}"]`) });
    await row.getByText('pending', { exact: true }).waitFor();
    await row.getByText('2 pending').waitFor();

    // Asked first; going back changes nothing.
    await row.getByRole('button', { name: 'Cancel' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('to 2 recipients').waitFor();
    await checkA11y(page, 'the cancel dialog');
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await stack.api('GET', `/api/scheduled-calls/${id}`)).status, 'pending');

    await row.getByRole('button', { name: 'Cancel' }).click();
    await dialog.getByRole('button', { name: 'Cancel the call' }).click();
    await page.getByText('The call was canceled.').waitFor();
    const canceledRow = page.locator('tbody tr').filter({ has: page.locator(`a[href="#/calls/${id}"]`) });
    await canceledRow.getByText('2 canceled').waitFor();
    assert.equal(await canceledRow.getByRole('button', { name: 'Cancel' }).count(), 0);
    const call = await stack.api('GET', `/api/scheduled-calls/${id}`);
    assert.equal(call.status, 'canceled');
    assert.deepEqual(call.recipients.map((r) => r.status), ['canceled', 'canceled']);

    await canceledRow.getByRole('link').click();
    await arrive(page, 'Scheduled call');
    await page.locator('#call-status').getByText('canceled').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel the call' }).count(), 0);
  }));

test('the table pages by cursor and filters by status', () =>
  withStack('paging', {}, async ({ page, stack }) => {
    const prompt = await stack.createPrompt();
    const later = new Date(Date.now() + 3600e3).toISOString();
    const ids = [];
    for (let i = 0; i < 55; i++) {
      ids.push((await stack.api('POST', '/api/scheduled-calls', { toPhoneNumbers: ['+14155552671'], promptId: prompt.id, scheduledDateTime: later })).id);
    }
    await stack.api('POST', `/api/scheduled-calls/${ids[0]}/cancel`);
    await signIn(page, stack);
    await arrive(page, 'Scheduled calls');
    const rows = page.locator('tbody tr');
    await rows.nth(49).waitFor();
    assert.equal(await rows.count(), 50);
    await page.getByRole('button', { name: 'Show more' }).click();
    await rows.nth(54).waitFor();
    assert.equal(await rows.count(), 55);
    assert.equal(await page.getByRole('button', { name: 'Show more' }).isVisible(), false);
    await page.getByLabel('Status').selectOption('canceled');
    await page.locator(`tbody a[href="#/calls/${ids[0]}"]`).waitFor();
    assert.equal(await rows.count(), 1);
  }));
