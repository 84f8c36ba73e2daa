// A call log: the transcript of a real conversation (the conversation agent with pocketsphinx and
// the scripted responder, against a simulated callee who answers in a flite voice) as a chat, with
// each answer's latency as bars and the callee's backchannel marked; also at 360 px wide.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrive, checkA11y, signIn, until, withStack } from './harness.mjs';

const SCENARIO = {
  callsPerSecond: 100,
  default: {
    ringSeconds: 0.1, hangupAfterSeconds: 30, voice: 'flite:rms',
    // "Okay." over the agent's answer: a backchannel, kept in the transcript and not answered.
    script: [{ say: 'Hi, yes, speaking.', afterAgentSilenceMs: 700 }, { say: 'Okay.', afterAgentStartsMs: 1500, lengthMs: 400 },
      { silenceMs: 8000 }, { hangup: true }],
  },
};

test('a call log shows the transcript as a chat with latency bars', () =>
  withStack('call-log', { scenario: SCENARIO, serveArgs: ['--agent', 'conversation', '--stt-decoders', '1'] }, async ({ page, stack }) => {
    // A campaign's recipient: greeted by the name it was scheduled with.
    const prompt = await stack.createPrompt({ introduction: 'Hello {{name}}, this is the dental clinic calling.' });
    const call = await stack.api('POST', '/api/scheduled-calls', {
      recipients: [{ phoneNumber: '+14155552671', variables: { name: 'Maria' } }], promptId: prompt.id,
      scheduledDateTime: new Date().toISOString(),
    });
    const log = await until(async () => {
      const page1 = await stack.api('GET', `/api/call-logs?scheduledCallId=${call.id}`);
      const l = page1.items[0];
      return l?.endedAt && l.transcript.some((t) => t.latency) ? l : null;
    }, { timeout: 90000, what: 'a call log with an answer' });

    await signIn(page, stack);
    await page.goto(`${stack.url}/#/calls/${call.id}`);
    await arrive(page, 'Scheduled call');
    await page.locator('tbody tr').getByText('name: Maria').waitFor();
    await page.getByRole('link', { name: 'Call log' }).click();
    await arrive(page, 'Call log');
    assert.ok(page.url().endsWith(`#/logs/${log.id}`));

    const turns = page.locator('ol.chat > li');
    assert.equal(await turns.count(), log.transcript.length);
    const first = turns.first();
    assert.match(await first.getAttribute('class'), /\bagent\b/);
    await first.getByText('Hello Maria, this is the dental clinic calling.').waitFor();
    assert.equal(log.introduction, 'Hello Maria, this is the dental clinic calling.');
    assert.ok(await page.locator('ol.chat > li.callee').count() >= 1, 'the callee speaks');

    // Bars for each answer: widths set through the CSSOM, proportional to the milliseconds shown.
    const answer = log.transcript.findIndex((t) => t.latency);
    const bars = turns.nth(answer).locator('.latency .stage');
    assert.equal(await bars.count(), 4);
    const l = log.transcript[answer].latency;
    for (const [i, key] of ['sttFinalMs', 'llmFirstTokenMs', 'ttsFirstAudioMs', 'voiceToVoiceMs'].entries()) {
      const stage = bars.nth(i);
      assert.equal((await stage.locator('.ms').textContent()).trim(), l[key] == null ? '—' : `${l[key]} ms`);
      if (l[key] != null) assert.ok(await stage.locator('.bar').evaluate((b) => b.getBoundingClientRect().width > 0), `${key} has a bar`);
    }
    // The backchannel is marked as one.
    const backchannel = log.transcript.findIndex((t) => t.backchannel);
    assert.ok(backchannel > 0, `the "okay" over the agent is kept as a backchannel: ${JSON.stringify(log.transcript)}`);
    await turns.nth(backchannel).locator('.badge', { hasText: 'backchannel' }).waitFor();
    await page.getByText('scripted').waitFor();  // engines: the scripted responder
    await checkA11y(page, 'call log');

    await page.setViewportSize({ width: 360, height: 640 });
    await page.waitForFunction(() => document.documentElement.clientWidth === 360);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 360);
    await checkA11y(page, 'call log at 360 px');
  }));
