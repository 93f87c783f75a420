// The built gallery in a real browser: headless Chromium (Debian's package) driven by
// playwright-core, against `shoebox build` output served from 127.0.0.1 the way the distribution
// routes it (ALBUM/_p/… from the resized folder, the rest from the web folder) with the
// distribution's Content-Security-Policy, so a page that needs more than it allows fails here.
// Run by ./scripts/test.
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
const template = readFileSync(new URL('../../template.yaml', import.meta.url), 'utf8');
const csp = /ContentSecurityPolicy: "([^"]+)"/.exec(template)[1];
let server, base, browser, out;

before(async () => {
  assert.ok(shoebox && existsSync(shoebox), 'SHOEBOX_BIN (the built shoebox binary) is set by ./scripts/test');
  const work = mkdtempSync(join(tmpdir(), 'shoebox-browser-'));
  const albums = join(work, 'albums');
  mkdirSync(join(albums, 'Trips', 'Rome 2024'), { recursive: true });
  mkdirSync(join(albums, 'Landscapes'), { recursive: true });
  for (const n of [1, 3, 6, 8]) copyFileSync(join(fixtures, `Landscape_${n}.jpg`), join(albums, 'Landscapes', `L ${n}.jpg`));
  for (const n of [2, 5]) copyFileSync(join(fixtures, `Portrait_${n}.jpg`), join(albums, 'Trips', 'Rome 2024', `P+${n} ü.jpg`));
  writeFileSync(join(albums, 'Trips', 'Rome 2024', 'album.yml'), 'title: Rome\ndescription: Two *portraits*.\ncaptions:\n  P+5 ü.jpg: Up the Spanish Steps\n');
  out = join(work, 'site');
  execFileSync(shoebox, ['build', albums, '--out', out, '--title', 'Browser Gallery', '--jobs', '2'], { stdio: 'inherit' });

  // Like CloudFront's behaviors: */_p/* from the resized bucket, the rest from the web bucket,
  // folder paths to their index.html, everything else 404 with /_auth/404.html.
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const root = path.includes('/_p/') ? join(out, 'resized') : join(out, 'web');
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) { res.writeHead(400).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { 'content-type': types['.html'], 'content-security-policy': csp }).end(readFileSync(join(out, 'web', '_auth', '404.html')));
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp }).end(readFileSync(file));
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
  // Each shift with what moved, so a failure says which element it was.
  const { total, shifts } = await page.evaluate(() => new Promise((resolve) => {
    const shifts = [];
    let total = 0;
    const name = (n) => (n ? `${n.nodeName}${n.id ? `#${n.id}` : ''}${n.className ? `.${String(n.className).replace(/ /g, '.')}` : ''}` : '?');
    const rect = (r) => `${r.x},${r.y} ${r.width}×${r.height}`;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        total += e.value;
        shifts.push(`${e.value.toFixed(4)} at ${Math.round(e.startTime)} ms: ${e.sources.map((s) => `${name(s.node)} ${rect(s.previousRect)} → ${rect(s.currentRect)}`).join('; ')}`);
      }
    }).observe({ type: 'layout-shift', buffered: true });
    setTimeout(() => resolve({ total, shifts }), 300);
  }));
  assert.ok(total < 0.01, `cumulative layout shift ${total}: ${shifts.join(' | ')}`);
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

// The photo PhotoSwipe shows now, and what the browser picked for it.
const slide = (page) => page.evaluate(() => {
  const s = window.pswp?.currSlide;
  const img = s?.content?.element;
  if (!s || !img || !img.complete || !img.naturalWidth) return null;
  // naturalWidth of a srcset image is in CSS pixels; the candidate's `w` is the file's width.
  const candidates = img.getAttribute('srcset').split(', ').map((c) => c.split(' '));
  const chosen = candidates.find(([url]) => new URL(url, location.href).href === img.currentSrc);
  return { index: s.index, chosen: Number(chosen[1].replace('w', '')), shown: img.getBoundingClientRect().width, src: img.currentSrc, srcset: img.getAttribute('srcset') };
});

async function waitForSlide(page, index) {
  await page.waitForFunction((i) => {
    const s = window.pswp?.currSlide;
    const img = s?.content?.element;
    return s?.index === i && img?.complete && img.naturalWidth > 0 && window.pswp.opener.isOpen;
  }, index, { timeout: 10_000 });
  return slide(page);
}

test('lightbox: click opens the right size, keys move, #photo-ID survives a reload, Escape closes', async () => {
  const { page, problems } = await open('/Landscapes/', { viewport: { width: 1000, height: 700 } });
  const ids = await page.locator('.grid li[id^=photo-]').evaluateAll((lis) => lis.map((li) => li.id));
  assert.equal(ids.length, 4);
  await page.locator('.grid a.photo').first().click();
  let shown = await waitForSlide(page, 0);
  assert.equal(new URL(page.url()).hash, `#${ids[0]}`);
  // The smallest derivative at least as wide as the photo is shown (device pixel ratio 1).
  const widths = shown.srcset.split(', ').map((c) => Number(c.split(' ')[1].replace('w', ''))).sort((a, b) => a - b);
  const expected = widths.find((w) => w >= Math.round(shown.shown)) ?? widths.at(-1);
  assert.equal(shown.chosen, expected, `shown ${shown.shown}px wide from ${shown.src}; widths ${widths}`);
  assert.ok(shown.chosen < widths.at(-1), 'not the largest derivative on a 1000 px window');

  await page.keyboard.press('ArrowRight');
  shown = await waitForSlide(page, 1);
  assert.equal(new URL(page.url()).hash, `#${ids[1]}`);

  // A drag to the left (a swipe with a mouse) moves on.
  const box = page.viewportSize();
  await page.mouse.move(box.width * 0.7, box.height / 2);
  await page.mouse.down();
  for (let x = box.width * 0.7; x > box.width * 0.2; x -= 40) await page.mouse.move(x, box.height / 2);
  await page.mouse.up();
  await waitForSlide(page, 2);
  assert.equal(new URL(page.url()).hash, `#${ids[2]}`);

  // A click on the photo zooms in to its full resolution.
  const before = await page.evaluate(() => window.pswp.currSlide.currZoomLevel);
  await page.mouse.click(box.width / 2, box.height / 2);
  await page.waitForFunction((z) => window.pswp.currSlide.currZoomLevel > z, before);

  await page.reload({ waitUntil: 'networkidle' });
  shown = await waitForSlide(page, 2);
  assert.equal(shown.index, 2, 'the reload opened the photo in the address');

  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.pswp'));
  assert.equal(new URL(page.url()).hash, '', 'closing clears the address');
  assert.deepEqual(problems, []);
});

test('lightbox: caption, download of the largest derivative, and phone-sized screens', async () => {
  const { page, problems } = await open('/Trips/Rome%202024/', { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
  const links = await page.locator('.grid a.photo').evaluateAll((as) => as.map((a) => ({ href: a.href, id: a.closest('li').id })));
  const captioned = await page.locator('.grid li', { hasText: 'Up the Spanish Steps' }).getAttribute('id');
  await page.goto(`${base}/Trips/Rome%202024/#${captioned}`, { waitUntil: 'networkidle' });
  const index = links.findIndex((l) => l.id === captioned);
  const shown = await waitForSlide(page, index);
  assert.ok(shown.chosen >= shown.shown * 2 - 2, `sharp at 2× (${shown.chosen}px for ${shown.shown} CSS px)`);
  assert.equal((await page.locator('.pswp__caption .pswp-caption-text').textContent()), 'Up the Spanish Steps');

  const download = page.locator('.pswp__button--download');
  assert.equal(await download.evaluate((a) => a.href), links[index].href, 'the largest derivative');
  assert.match(await download.getAttribute('download'), /^P\+5 ü\.jpg$/);
  const res = await page.request.get(await download.evaluate((a) => a.href));
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'image/jpeg');
  assert.ok(await page.locator('.pswp__button--original').isHidden(), 'no original link unless enabled');
  assert.deepEqual(problems, []);
});

test('ThumbHash placeholders are painted while photos load', async () => {
  const page = await browser.newPage();
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route('**/_p/**', async (route) => { await held; await route.continue(); });
  await page.goto(`${base}/Landscapes/`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => [...document.querySelectorAll('.grid img')].every((i) => i.style.backgroundImage.startsWith('url("data:image/png')));
  release();
  await page.waitForFunction(() => [...document.querySelectorAll('.grid img')].every((i) => i.complete && i.naturalWidth && !i.style.backgroundImage));
  await page.close();
});

test('keyboard only: focus order follows the page, Enter opens a photo, Escape returns focus to it', async () => {
  const { page, problems } = await open('/Trips/Rome%202024/');
  const order = [];
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => {
      const el = document.activeElement;
      const ring = getComputedStyle(el).outlineStyle !== 'none';
      return { what: `${el.tagName.toLowerCase()}${el.classList.contains('photo') ? '.photo' : ''} ${el.getAttribute('href')}`, ring };
    }));
  }
  const what = order.map((o) => o.what);
  assert.deepEqual(what.slice(0, 3), ['a /', 'a /Trips/', 'a /_auth/logout'], 'breadcrumb, then sign out');
  assert.ok(what.slice(3).every((w) => w.startsWith('a.photo ')), `then the photos: ${what}`);
  assert.ok(order.every((o) => o.ring), `every focused element shows a focus ring: ${JSON.stringify(order)}`);

  // Back to the first photo, open it with Enter, close with Escape: focus returns to it.
  await page.keyboard.press('Shift+Tab');
  const opened = await page.evaluate(() => document.activeElement.closest('li').id);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.pswp?.opener.isOpen);
  assert.equal(new URL(page.url()).hash, `#${opened}`);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.pswp'));
  assert.equal(await page.evaluate(() => document.activeElement.closest('li')?.id), opened, 'focus is back on the photo');
  assert.deepEqual(problems, []);
});

test('lightbox and history: Back closes the photo and stays on the album; Forward reopens it', async () => {
  const { page, problems } = await open('/Landscapes/');
  const album = page.url();
  await page.locator('.grid a.photo').nth(1).click();
  await waitForSlide(page, 1);
  await page.keyboard.press('ArrowRight');
  await waitForSlide(page, 2);
  await page.goBack();
  await page.waitForFunction(() => !document.querySelector('.pswp'));
  assert.equal(page.url(), album, 'Back closed the lightbox and stayed on the album');

  await page.locator('.grid a.photo').first().click();
  await waitForSlide(page, 0);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.pswp') && location.hash === '');
  assert.equal(page.url(), album);
  // Forward returns to the photo, as a browser's history would.
  await page.goForward();
  await waitForSlide(page, 0);
  assert.deepEqual(problems, []);
});
