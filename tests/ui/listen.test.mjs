// Needs GET /api/prompts/{id}/introduction.wav. "Listen" fetches the WAV with the token and plays
// it from an object URL in an <audio> element.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrive, signIn, TOKEN, withStack } from './harness.mjs';

test('the listen button loads the introduction into an audio element', () =>
  withStack('listen', {}, async ({ page, stack }) => {
    const prompt = await stack.createPrompt({ introduction: 'Hello, this is the clinic.' });
    let wav;
    page.on('request', (r) => { if (r.url().endsWith('/introduction.wav')) wav = r; });
    await signIn(page, stack);
    await page.goto(`${stack.url}/#/prompts/${prompt.id}`);
    await arrive(page, `Prompt: ${prompt.name}`);
    await page.getByRole('button', { name: 'Listen to the introduction' }).click();
    const audio = page.locator('audio');
    await audio.waitFor({ state: 'visible' });
    await page.waitForFunction(() => {
      const a = document.querySelector('audio');
      return a && a.readyState >= 1 && a.duration > 0.5;
    });
    assert.match(await audio.evaluate((a) => a.currentSrc), /^blob:/);
    assert.equal(wav.headers().authorization, `Bearer ${TOKEN}`);
    assert.equal(wav.resourceType(), 'fetch');
  }));
