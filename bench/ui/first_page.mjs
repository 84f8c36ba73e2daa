// How soon the UI's first page is usable, on loopback: `voiceagent serve` (the release build) and
// the system's Chromium through playwright-core, a fresh browser context (empty cache) per run.
// Per run, from the navigation's start: Navigation Timing's domInteractive, DOMContentLoaded and
// load, and "ready": the scheduled calls table drawn from the API's answer (what an operator
// waits for). Usage: node bench/ui/first_page.mjs [runs=30] (bench/ui/run.sh builds and runs it).
import { launch, startStack, TOKEN } from '../../tests/ui/harness.mjs';

const runs = Number(process.argv[2] || 30);
const stack = await startStack();
const prompt = await stack.createPrompt();
const when = new Date(Date.now() + 3600_000).toISOString();
for (let i = 0; i < 20; i++) {  // a table worth drawing
  await stack.api('POST', '/api/scheduled-calls', { toPhoneNumbers: [`+1415555${2000 + i}`], promptId: prompt.id, scheduledDateTime: when });
}
const browser = await launch();
const figures = { domInteractive: [], domContentLoaded: [], load: [], ready: [] };
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    await context.addInitScript((token) => sessionStorage.setItem('va.token', token), TOKEN);
    const page = await context.newPage();
    await page.goto(`${stack.url}/#/calls`);
    const ready = await page.waitForFunction(() => document.querySelectorAll('main table tbody tr').length >= 20 && performance.now());
    const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0].toJSON());
    figures.domInteractive.push(nav.domInteractive);
    figures.domContentLoaded.push(nav.domContentLoadedEventEnd);
    figures.load.push(nav.loadEventEnd);
    figures.ready.push(await ready.jsonValue());
    await context.close();
  }
} finally {
  await browser.close();
  await stack.stop();
}
const pct = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];
console.log(`first page (#/calls, 20 scheduled calls), ${runs} runs, ms from navigation start: p50 / p90 / max`);
for (const [name, values] of Object.entries(figures)) {
  console.log(`  ${name.padEnd(17)} ${pct(values, 50).toFixed(1)} / ${pct(values, 90).toFixed(1)} / ${Math.max(...values).toFixed(1)}`);
}
