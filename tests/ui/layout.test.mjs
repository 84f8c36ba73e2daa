// Every page at 360x640 (a small phone): no sideways scrolling, and axe-core finds no serious or
// critical problem. With data on each page: a finished call with its call log, a pending call.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrive, checkA11y, signIn, until, withStack } from './harness.mjs';

async function fits(page, label) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `${label}: scrollWidth ${width} > 360`);
}

test('every page fits 360x640 and passes axe-core', () =>
  withStack('layout', { page: { width: 360, height: 640 } }, async ({ page, stack }) => {
    const prompt = await stack.createPrompt({
      name: 'A rather long prompt name for a very small screen indeed',
      introduction: 'Hello! This is a quick reminder call from Bright Smile Dental about your appointment tomorrow.',
      conversation: { endOfTurnMs: 500, bargeIn: true },
    });
    const done = await stack.api('POST', '/api/scheduled-calls', {
      toPhoneNumbers: ['+14155552671', '+14155552672'], promptId: prompt.id, scheduledDateTime: new Date().toISOString(),
      retry: { maxAttempts: 2, delaySeconds: 600 },
    });
    await stack.api('POST', '/api/scheduled-calls', {
      toPhoneNumbers: ['+14155552673'], promptId: prompt.id,
      scheduledDateTime: new Date(Date.now() + 3600e3).toISOString(),
      callWindow: { start: '09:00', end: '20:00', timeZone: 'America/Los_Angeles' },
    });
    await until(async () => (await stack.api('GET', `/api/scheduled-calls/${done.id}`)).status === 'completed',
      { timeout: 60000, what: 'the calls to end' });
    const logs = await stack.api('GET', `/api/call-logs?scheduledCallId=${done.id}`);

    await page.goto(stack.url + '/');
    await arrive(page, 'Sign in');
    await fits(page, 'sign-in');
    await signIn(page, stack);

    const pages = [
      ['#/calls', 'Scheduled calls'],
      [`#/calls/${done.id}`, 'Scheduled call'],
      ['#/schedule', 'Schedule a call'],
      ['#/prompts', 'Prompts'],
      ['#/prompts/new', 'New prompt'],
      [`#/prompts/${prompt.id}`, `Prompt: ${prompt.name}`],
      [`#/logs/${logs.items[0].id}`, 'Call log'],
      ['#/live', 'Live calls'],
      ['#/nowhere', 'Page not found'],
    ];
    for (const [hash, heading] of pages) {
      await page.goto(`${stack.url}/${hash}`);
      await arrive(page, heading);
      if (hash === `#/calls/${done.id}`) await page.getByText('2 completed').first().waitFor();
      if (hash === '#/calls') await page.locator('tbody tr').nth(1).waitFor();
      await fits(page, hash);
    }

    // Open parts: the conversation settings, the calling window and redial fields, a dialog.
    await page.goto(`${stack.url}/#/prompts/${prompt.id}`);
    await arrive(page, `Prompt: ${prompt.name}`, { a11y: false });
    await page.getByText('Conversation settings').click();
    await fits(page, 'prompt with its settings open');
    await checkA11y(page, 'prompt with its settings open');
    await page.goto(`${stack.url}/#/schedule`);
    await arrive(page, 'Schedule a call', { a11y: false });
    await page.getByLabel('Call only between these times of day').check();
    await page.getByLabel('Call again after busy, no answer or a failure').check();
    await page.getByLabel('Phone numbers, one per line').fill('+1 415 555 2671, America/Los_Angeles\n+14155552672');
    await fits(page, 'schedule with every part open');
    await checkA11y(page, 'schedule with every part open');
    await page.goto(`${stack.url}/#/calls`);
    await arrive(page, 'Scheduled calls', { a11y: false });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor();
    await fits(page, 'the cancel dialog');
    await checkA11y(page, 'the cancel dialog');
    await page.getByRole('button', { name: 'Keep it' }).click();

    // The keyboard: the first Tab reaches "Skip to content", visible with a focus ring; Enter
    // moves to the page. A dialog opened from the keyboard holds the focus; Escape keeps the call.
    await page.reload();
    await arrive(page, 'Scheduled calls', { a11y: false });
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const el = document.activeElement;
      const box = el.getBoundingClientRect();
      return { text: el.textContent, outline: getComputedStyle(el).outlineStyle, inView: box.left >= 0 && box.top >= 0 };
    });
    assert.deepEqual(skip, { text: 'Skip to content', outline: 'solid', inView: true });
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    const cancel = page.getByRole('button', { name: 'Cancel' });
    await cancel.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    assert.ok(await page.evaluate(() => document.querySelector('dialog').contains(document.activeElement)));
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    assert.equal(await cancel.count(), 1, 'Escape keeps the call');
  }));
