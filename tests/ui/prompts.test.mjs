// Prompts: create one with conversation settings, see it listed, edit it; an API refusal is shown
// beside the field it names, in the API's words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrive, checkA11y, signIn, TOKEN, withStack } from './harness.mjs';

test('create a prompt, list it, and edit it; errors beside their field', () =>
  withStack('prompts', {}, async ({ page, stack }) => {
    await signIn(page, stack);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Prompts' }).click();
    await arrive(page, 'Prompts');
    await page.getByRole('link', { name: 'New prompt' }).click();
    await arrive(page, 'New prompt');

    await page.getByLabel('Name', { exact: true }).fill('Clinic reminder');
    await page.getByLabel('Instructions for the agent').fill('You remind patients of their appointment. Be brief.');
    await page.getByLabel('Introduction', { exact: true }).fill('Hello, this is the dental clinic calling about your appointment.');
    await page.getByText('Conversation settings').click();
    await page.getByLabel('Silence that ends the callee\'s turn (ms)').fill('450');
    await page.getByLabel('The callee may interrupt the agent').selectOption('false');
    await page.getByLabel('Say "Let me check." when the model is silent this long (ms)').fill('1500');
    await checkA11y(page, page.url());
    await page.getByRole('button', { name: 'Create prompt' }).click();
    await arrive(page, 'Prompt: Clinic reminder');
    await page.getByText('Prompt created.').waitFor();

    const listed = await stack.api('GET', '/api/prompts');
    assert.equal(listed.items.length, 1);
    const prompt = listed.items[0];
    assert.equal(prompt.introduction, 'Hello, this is the dental clinic calling about your appointment.');
    assert.equal(prompt.conversation.endOfTurnMs, 450);
    assert.equal(prompt.conversation.bargeIn, false);
    assert.equal(prompt.conversation.fillerAfterMs, 1500);
    assert.ok(page.url().endsWith(`#/prompts/${prompt.id}`));

    // Out of range: the API's own message, next to the field it names.
    const field = page.getByLabel('Silence that ends the callee\'s turn (ms)');
    await field.fill('50');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const expected = await fetch(`${stack.url}/api/prompts/${prompt.id}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: prompt.name, content: prompt.content, introduction: prompt.introduction, conversation: { endOfTurnMs: 50, bargeIn: false, fillerAfterMs: 1500 } }),
    }).then((r) => r.json());
    assert.equal(expected.error.field, 'conversation.endOfTurnMs');
    const describedBy = (await field.getAttribute('aria-describedby')).split(' ');
    const errorSlot = page.locator(`[id="${describedBy[describedBy.length - 1]}"]`);
    await page.waitForFunction((id) => document.getElementById(id)?.textContent !== '', describedBy[describedBy.length - 1]);
    assert.equal(await errorSlot.textContent(), expected.error.message);
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.ok(await field.evaluate((el) => el === document.activeElement), 'the field with the error has focus');
    await checkA11y(page, page.url());

    // Fixed: saved, and the error is gone.
    await field.fill('');
    await page.getByLabel('Introduction', { exact: true }).fill('Hello again, this is the clinic.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved.', { exact: true }).waitFor();
    assert.equal(await errorSlot.textContent(), '');
    const saved = await stack.api('GET', `/api/prompts/${prompt.id}`);
    assert.equal(saved.introduction, 'Hello again, this is the clinic.');
    assert.equal(saved.conversation?.endOfTurnMs ?? null, null);

    await page.getByRole('link', { name: 'All prompts' }).click();
    await arrive(page, 'Prompts');
    await page.getByRole('link', { name: 'Clinic reminder' }).waitFor();
    await page.getByText('Hello again, this is the clinic.').waitFor();
  }));

