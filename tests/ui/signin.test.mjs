// Sign-in: with tokens configured, a wrong token is refused in words and the right one opens the
// app; the token travels only in the Authorization header and lives in sessionStorage only.
// Without tokens (local mode) there is nothing to sign in to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrive, checkA11y, TOKEN, withStack } from './harness.mjs';

test('a wrong token is refused, the right one signs in, sign out forgets it', () =>
  withStack('signin', {}, async ({ page, stack }) => {
    const requests = [];
    page.on('request', (r) => requests.push({ url: r.url(), auth: r.headers().authorization }));
    await page.goto(stack.url + '/');
    await arrive(page, 'Sign in');

    await page.getByLabel('API token').fill('wrong-token-0123456789abcdef0123456789ab');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token was not accepted').waitFor();
    assert.equal(await page.getByLabel('API token').getAttribute('aria-invalid'), 'true');
    await checkA11y(page, 'sign-in with an error');

    await page.getByLabel('API token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await arrive(page, 'Scheduled calls');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('va.token')), TOKEN);
    assert.equal(await page.evaluate(() => localStorage.length), 0);

    // A reload keeps the tab signed in; another page in the same browser context reads nothing.
    await page.reload();
    await arrive(page, 'Scheduled calls', { a11y: false });
    await page.getByRole('link', { name: 'Prompts' }).click();
    await arrive(page, 'Prompts');
    assert.equal(await page.getByRole('link', { name: 'Prompts' }).getAttribute('aria-current'), 'page');

    const api = requests.filter((r) => new URL(r.url).pathname.startsWith('/api/'));
    assert.ok(api.length >= 4);
    assert.ok(requests.every((r) => !r.url.includes(TOKEN)), 'the token never goes into a URL');
    const signedIn = api.filter((r) => r.auth);
    assert.ok(signedIn.length >= 3);
    assert.ok(signedIn.every((r) => r.auth === `Bearer ${TOKEN}` || r.auth === 'Bearer wrong-token-0123456789abcdef0123456789ab'));

    await page.getByRole('button', { name: 'Sign out' }).click();
    await arrive(page, 'Sign in', { a11y: false });
    assert.equal(await page.evaluate(() => sessionStorage.getItem('va.token')), null);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
  }));

test('without API tokens (local mode) the app opens without signing in', () =>
  withStack('signin-local', { tokens: false }, async ({ page, stack }) => {
    await page.goto(stack.url + '/#/prompts');
    await arrive(page, 'Prompts');
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
    assert.equal(await page.getByLabel('API token').count(), 0);
  }));
