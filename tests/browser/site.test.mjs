// The built gallery in a real browser: headless Chromium (Debian's package) driven by
// playwright-core, against `shoebox build` output served from 127.0.0.1 with /photos/ mapped to
// the resized folder, as the buckets are behind CloudFront. Run by ./scripts/test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync, readFileSync, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize, extname } from 'node:path';
import { chromium } from 'playwright-core';

const fixtures = new URL('../../../shared/fixtures/exif-orientation/', import.meta.url).pathname;
const shoebox = process.env.SHOEBOX_BIN;
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.jpg': 'image/jpeg', '.json': 'application/json' };
let server, base, browser, out;

before(async () => {
  assert.ok(shoebox && existsSync(shoebox), 'SHOEBOX_BIN (the built shoebox binary) is set by ./scripts/test');
  const work = mkdtempSync(join(tmpdir(), 'shoebox-browser-'));
  const albums = join(work, 'albums');
  mkdirSync(join(albums, 'Trips', 'Rome 2024'), { recursive: true });
  mkdirSync(join(albums, 'Landscapes'), { recursive: true });
  for (const n of [1, 3, 6, 8]) copyFileSync(join(fixtures, `Landscape_${n}.jpg`), join(albums, 'Landscapes', `L ${n}.jpg`));
  for (const n of [2, 5]) copyFileSync(join(fixtures, `Portrait_${n}.jpg`), join(albums, 'Trips', 'Rome 2024', `P+${n} ü.jpg`));
  writeFileSync(join(albums, 'Trips', 'Rome 2024', 'album.yml'), 'title: Rome\ndescription: Two *portraits*.\n');
  out = join(work, 'site');
  execFileSync(shoebox, ['build', albums, '--out', out, '--title', 'Browser Gallery', '--jobs', '2'], { stdio: 'inherit' });

  // Like CloudFront's behaviors: /photos/* from the resized bucket, the rest from the web bucket,
  // directory paths to their index.html, everything else 404 with /404.html.
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const root = path.startsWith('/photos/') ? join(out, 'resized') : join(out, 'web');
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) { res.writeHead(400).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': types['.html'] }).end(readFileSync(join(out, 'web', '404.html')));
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function open(path, options = {}) {
  const page = await browser.newPage(options);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) problems.push(`external request: ${r.url()}`); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith(path)) problems.push(`${r.status()} ${r.url()}`); });
  await page.goto(base + path, { waitUntil: 'networkidle' });
  return { page, problems };
}

test('browse: index → folder → album; images load upright at the size the layout asks for', async () => {
  const { page, problems } = await open('/');
  assert.equal(await page.title(), 'Browser Gallery');
  const tiles = await page.locator('.tile-title').allTextContents();
  assert.deepEqual(tiles.map((t) => t.trim()).sort(), ['Landscapes', 'Trips']);

  await page.click('text=Trips');
  await page.waitForLoadState('networkidle');
  assert.match(await page.locator('h1').textContent(), /Trips/);
  await page.click('text=Rome');
  await page.waitForLoadState('networkidle');
  assert.equal(decodeURIComponent(new URL(page.url()).pathname), '/Trips/Rome 2024/');
  assert.equal((await page.locator('h1').textContent()).trim(), 'Rome');
  assert.equal(await page.locator('.description em').textContent(), 'portraits');

  const images = await page.locator('.grid img').evaluateAll((imgs) =>
    imgs.map((i) => ({ loaded: i.complete && i.naturalWidth > 0, natural: [i.naturalWidth, i.naturalHeight], shown: [i.clientWidth, i.clientHeight], src: i.currentSrc })));
  assert.equal(images.length, 2);
  for (const img of images) {
    assert.ok(img.loaded, `${img.src} loaded`);
    assert.ok(img.natural[1] > img.natural[0], `portrait stays portrait (upright): ${img.natural}`);
    assert.ok(img.natural[0] >= img.shown[0], `the chosen derivative (${img.natural[0]}px) covers the shown width (${img.shown[0]}px)`);
    assert.ok(img.natural[0] <= 1280, `and is not the largest one: ${img.src}`);
  }
  const crumbs = await page.locator('.crumbs a').allTextContents();
  assert.deepEqual(crumbs, ['Browser Gallery', 'Trips']);
  assert.deepEqual(problems, []);
});

test('the justified grid keeps aspect ratios and nothing shifts when images load', async () => {
  const { page, problems } = await open('/Landscapes/');
  const boxes = await page.locator('.grid li[id^=photo-]').evaluateAll((lis) => lis.map((li) => { const r = li.getBoundingClientRect(); return [r.width, r.height]; }));
  assert.equal(boxes.length, 4);
  for (const [w, h] of boxes) assert.ok(Math.abs(w / h - 1.5) < 0.02, `3:2 kept: ${w}×${h}`);
  const shift = await page.evaluate(() => new Promise((resolve) => {
    let total = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) total += e.value; }).observe({ type: 'layout-shift', buffered: true });
    setTimeout(() => resolve(total), 300);
  }));
  assert.ok(shift < 0.01, `cumulative layout shift ${shift}`);
  assert.deepEqual(problems, []);
});

test('dark mode, the 404 page and the static login page', async () => {
  const { page, problems } = await open('/', { colorScheme: 'dark' });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(bg, 'rgb(18, 18, 20)', 'dark background in dark mode');
  assert.deepEqual(problems, []);

  const missing = await browser.newPage();
  const res = await missing.goto(`${base}/no/such/album/`);
  assert.equal(res.status(), 404);
  assert.match(await missing.locator('h1').textContent(), /Not found/);

  const login = await browser.newPage();
  await login.goto(`${base}/_auth/login.html#photo-x`);
  assert.equal(await login.locator('input[name=next]').inputValue(), '/_auth/login.html#photo-x', 'next follows the address asked for');
  assert.equal(await login.locator('form').getAttribute('action'), '/_auth/login');
});
