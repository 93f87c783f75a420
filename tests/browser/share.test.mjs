// Sharing one album, in a fresh headless Chromium against `shoebox serve`: a share link made with
// `shoebox share` opens the album with its photos and lightbox; the index and other albums stay
// closed (with a page that says why); an expired or revoked link gets a page that says so, not a
// login form. A user limited to one album lands in it. On a phone the album shows three photos a
// row and loads its first screen eagerly; text is compressed as CloudFront would. Run by
// ./scripts/test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, copyFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { until } from './until.mjs';

const shoebox = process.env.SHOEBOX_BIN;
const fixtures = new URL('../../../shared/fixtures/exif-orientation/', import.meta.url).pathname;
let work, data, serve, base, browser;

const run = (args, input = '') => spawnSync(shoebox, [...args, '--data', data], { input, encoding: 'utf8' });

/** A share token made the way `shoebox share` makes it, with this gallery's share secret. */
function token(claims) {
  const { shareSecret } = JSON.parse(readFileSync(join(data, 'access.json'), 'utf8'));
  const json = JSON.stringify(claims);
  const mac = createHmac('sha256', Buffer.from(shareSecret, 'base64')).update(json).digest('base64url');
  return `${Buffer.from(json).toString('base64url')}.${mac}`;
}

before(async () => {
  assert.ok(shoebox && existsSync(shoebox), 'SHOEBOX_BIN (the built shoebox binary) is set by ./scripts/test');
  work = mkdtempSync(join(tmpdir(), 'shoebox-share-'));
  const albums = join(work, 'albums');
  data = join(work, 'data');
  mkdirSync(join(albums, 'Trips', 'Rome 2024'), { recursive: true });
  mkdirSync(join(albums, 'Trips', 'Rome'), { recursive: true });
  mkdirSync(join(albums, 'Landscapes'), { recursive: true });
  for (const n of [2, 5]) copyFileSync(join(fixtures, `Portrait_${n}.jpg`), join(albums, 'Trips', 'Rome 2024', `P ${n}.jpg`));
  copyFileSync(join(fixtures, 'Portrait_1.jpg'), join(albums, 'Trips', 'Rome', 'other.jpg'));
  for (let n = 1; n <= 8; n++) copyFileSync(join(fixtures, `Landscape_${n}.jpg`), join(albums, 'Landscapes', `L ${n}.jpg`));
  assert.equal(run(['users', 'add', 'anna'], 'correct horse battery staple\n').status, 0);
  serve = spawn(shoebox, ['serve', albums, '--data', data, '--port', '0', '--title', 'Family'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    serve.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    serve.stdout.on('data', (chunk) => { out += chunk; if (/http:\/\/127\.0\.0\.1:\d+\//.test(out)) resolve(); });
  });
  base = out.match(/(http:\/\/127\.0\.0\.1:\d+)\//)[1];
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  serve?.kill();
  rmSync(work, { recursive: true, force: true });
});

test('a share link opens its album, photos and lightbox, and nothing else', async () => {
  const made = run(['share', 'Trips/Rome 2024', '--expires', '14d', '--note', 'for grandma', '--url', base]);
  assert.equal(made.status, 0, made.stderr);
  const link = made.stdout.trim();
  assert.ok(link.startsWith(`${base}/_auth/share?t=`), link);
  assert.match(made.stderr, /opens Trips\/Rome 2024\/ .* until \d{4}-\d\d-\d\d/);

  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 403/.test(m.text())) problems.push(m.text()); });
  await page.goto(link);
  assert.equal(page.url(), `${base}/Trips/Rome%202024/`, 'the link lands on the album');
  await page.waitForLoadState('networkidle');
  const loaded = await page.locator('.grid img').evaluateAll((imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0));
  assert.deepEqual(loaded, [true, true], 'both photos load');
  assert.match(await page.locator('.scope-note').textContent(), /shared with you/);
  assert.equal(await page.locator('.crumbs a').count(), 0, 'no links above the album');
  assert.deepEqual(await page.locator('.crumbs .outside').allTextContents(), ['Family', 'Trips']);
  await page.locator('.grid a.photo').first().click();
  await page.waitForFunction(() => window.pswp?.opener.isOpen && window.pswp.currSlide?.content?.element?.complete);
  await page.keyboard.press('Escape');

  // The index, a parent folder and an album whose name starts the same: closed.
  for (const path of ['/', '/Trips/', '/Trips/Rome/', '/Landscapes/']) {
    const res = await page.goto(base + path);
    assert.equal(res.status(), 403, path);
    assert.match(await page.locator('main').textContent(), /The link you opened shows one album only/, path);
  }
  await page.locator('a', { hasText: 'back to that album' }).click();
  await page.waitForURL(`${base}/Trips/Rome%202024/`);
  const other = await context.request.get(`${base}/Landscapes/_p/anything/640.jpg`);
  assert.equal(other.status(), 403, 'other albums\' photos too');
  assert.deepEqual(problems, []);
  await context.close();

  const listed = run(['share', 'list']).stdout;
  assert.match(listed, /^[0-9a-f]{10}\tTrips\/Rome 2024\/\tuntil .*\tfor grandma$/m);
});

test('an expired, revoked or broken link says so, with no login form', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const now = Math.floor(Date.now() / 1000);
  const expired = token({ v: 1, a: 'Landscapes', p: '/Landscapes/', e: now - 60, i: 'expired001' });
  let res = await page.goto(`${base}/_auth/share?t=${expired}`);
  assert.equal(res.status(), 410);
  assert.match(await page.locator('h1').textContent(), /This link has expired/);
  assert.equal(await page.locator('form').count(), 0);
  assert.deepEqual(await context.cookies(), [], 'no cookies');

  res = await page.goto(`${base}/_auth/share?t=${expired.slice(0, -4)}`);
  assert.equal(res.status(), 400);
  assert.match(await page.locator('h1').textContent(), /This link is not valid/);

  const made = run(['share', 'Landscapes', '--expires', '2h']);
  const link = made.stdout.trim().replace('http://127.0.0.1:8080/', `${base}/`);
  assert.equal((await page.goto(link)).status(), 200, 'it works until revoked');
  const id = run(['share', 'list']).stdout.split('\n').find((l) => l.includes('Landscapes/')).split('\t')[0];
  assert.equal(run(['share', 'revoke', id]).status, 0);
  const fresh = await browser.newContext();
  const again = await fresh.newPage();
  await until('the revocation to reach the gate', async () => (await again.goto(link)).status() === 410, 30);
  assert.match(await again.locator('h1').textContent(), /no longer works/);
  await fresh.close();
  await context.close();
});

test('a user limited to one album signs in to it; a phone shows three photos a row', async () => {
  assert.equal(run(['users', 'add', 'gran', '--albums', 'Landscapes'], 'grandma knits blue scarves\n').status, 0);
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await until('gran can sign in', async () => {
    const res = await context.request.post(`${base}/_auth/login`, { form: { username: 'gran', password: 'grandma knits blue scarves', next: '/' }, maxRedirects: 0 });
    return res.status() === 303 && res.headers().location === '/Landscapes/';
  }, 30);
  await page.goto(`${base}/Landscapes/`);
  await page.waitForLoadState('networkidle');
  const rows = await page.locator('.grid li:not(.filler)').evaluateAll((items) => {
    const tops = new Map();
    for (const li of items) tops.set(Math.round(li.getBoundingClientRect().top), (tops.get(Math.round(li.getBoundingClientRect().top)) ?? 0) + 1);
    return [...tops.values()];
  });
  assert.ok(rows[0] >= 3, `three or more photos in the first row: ${rows}`);
  const boxes = await page.locator('.grid li:not(.filler)').evaluateAll((items) => items.map((li) => li.getBoundingClientRect().height));
  assert.ok(boxes.every((h) => h >= 100 && h <= 135), `rows of about 110-130 px: ${boxes}`);
  const chosen = await page.locator('.grid img').evaluateAll((imgs) => imgs.filter((i) => i.currentSrc).map((i) => i.currentSrc.split('/').pop()));
  assert.ok(chosen.length >= 6 && chosen.every((f) => f === '320.jpg' || f === '640.jpg'), `small sizes on a phone: ${chosen}`);
  const loading = await page.locator('.grid img').evaluateAll((imgs) => imgs.map((i) => i.getAttribute('loading')));
  assert.deepEqual(loading, Array(8).fill('eager'), 'the first screen does not wait to be scrolled to');
  assert.equal((await page.goto(`${base}/Trips/Rome%202024/`)).status(), 403, 'limited to Landscapes');
  await context.close();
});

test('serve compresses text the way CloudFront does, and not photos', async () => {
  const get = (path) => new Promise((resolve, reject) => {
    request(`${base}${path}`, { headers: { 'accept-encoding': 'gzip, br' } }, (res) => { res.resume(); resolve(res.headers); }).on('error', reject).end();
  });
  assert.match((await get('/_auth/login.html'))['content-encoding'] ?? '', /^(gzip|br)$/, 'HTML');
  assert.match((await get('/_auth/login.js'))['content-encoding'] ?? '', /^(gzip|br)$/, 'JavaScript');
  const plain = await new Promise((resolve, reject) => {
    request(`${base}/_auth/login.html`, (res) => { res.resume(); resolve(res.headers); }).on('error', reject).end();
  });
  assert.equal(plain['content-encoding'], undefined, 'a client that asks for nothing gets plain text');
});
