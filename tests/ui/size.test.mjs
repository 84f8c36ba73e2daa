// Everything the UI sends (every file in ui/) stays small: under 150 KB with gzip -9 together.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { root } from './harness.mjs';

test('every file in ui/ together is under 150 KB with gzip -9', () => {
  const dir = join(root, 'ui');
  let total = 0;
  const sizes = [];
  for (const name of readdirSync(dir).sort()) {
    const size = gzipSync(readFileSync(join(dir, name)), { level: 9 }).length;
    sizes.push(`${name} ${size}`);
    total += size;
  }
  console.log(`gzip -9: ${sizes.join(', ')}; total ${total} bytes`);
  assert.ok(total < 150 * 1024, `${total} bytes`);
});

test('index.html loads only files that are in ui/, by /assets/ paths', () => {
  const html = readFileSync(join(root, 'ui', 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1]);
  assert.ok(refs.length >= 3);
  for (const ref of refs) {
    assert.match(ref, /^\/assets\/[\w.-]+$/);
    readFileSync(join(root, 'ui', ref.slice('/assets/'.length)));
  }
  for (const name of readdirSync(join(root, 'ui')).filter((n) => n.endsWith('.js'))) {
    const source = readFileSync(join(root, 'ui', name), 'utf8');
    for (const m of source.matchAll(/from '\.\/([\w.-]+)'/g)) readFileSync(join(root, 'ui', m[1]));
    assert.doesNotMatch(source, /https?:\/\//, `${name} names no other origin`);
  }
});
