// A 10,000-photo album in headless Chromium: the page itself is small, the grid arrives in parts
// as the visitor scrolls while only the rows near the screen stay in the page, the lightbox walks
// across parts, and a deep link to photo 9,000 opens it. The album comes from
// `cargo run -p tests --example big_album` (real resizes of eight samples, one batch through the
// real site builder); ./scripts/test sets SHOEBOX_BIG_ALBUM to its output. Served the way the
// distribution routes it, with its Content-Security-Policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, normalize, extname } from 'node:path';
import { chromium } from 'playwright-core';

const out = process.env.SHOEBOX_BIG_ALBUM;
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.jpg': 'image/jpeg', '.json': 'application/json' };
const template = readFileSync(new URL('../../template.yaml', import.meta.url), 'utf8');
const csp = /ContentSecurityPolicy: "([^"]+)"/.exec(template)[1];
const TOTAL = 10_000;
// The example names photo n IMG_n and gives it the n-th capture time, so the album's order is n's.
const id = (n) => createHash('sha256').update(`Big/IMG_${String(n).padStart(5, '0')}.jpg`).digest('hex').slice(0, 10);
let server, base, browser;

before(async () => {
  assert.ok(out && existsSync(join(out, 'web', 'Big', 'index.html')), 'SHOEBOX_BIG_ALBUM (a big_album example output) is set by ./scripts/test');
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const root = path.includes('/_p/') ? join(out, 'resized') : join(out, 'web');
    let file = normalize(join(root, path));
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!file.startsWith(root) || !existsSync(file)) { res.writeHead(404, { 'content-security-policy': csp }).end(); return; }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function open(path, options = { viewport: { width: 1280, height: 800 } }) {
  const page = await browser.newPage(options);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
  // Layout shifts, summed as CLS sums them (programmatic scrolling is not input).
  await page.addInitScript(() => {
    window.shifts = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.shifts += e.value; })
      .observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(base + path, { waitUntil: 'networkidle' });
  return { page, problems };
}

async function waitForSlide(page, index) {
  await page.waitForFunction((i) => {
    const s = window.pswp?.currSlide;
    const img = s?.content?.element;
    // Open (the opening animation over: keys are ignored until then), on slide i, its image shown.
    return window.pswp?.opener.isOpen && s?.index === i && img?.tagName === 'IMG' && img.complete && img.naturalWidth > 0;
  }, index, { timeout: 15_000 });
  return page.evaluate(() => ({ id: window.pswp.currSlide.data.photo.id, hash: location.hash }));
}

test('the page is small and lists the rest of the album in parts', async () => {
  const html = readFileSync(join(out, 'web', 'Big', 'index.html'));
  assert.ok(html.length <= 100_000, `first page ${html.length} bytes`);
  const { page, problems } = await open('/Big/');
  const inline = (String(html).match(/<li id="photo-/g) ?? []).length;
  const parts = (await page.locator('.grid').getAttribute('data-parts')).trim().split(' ');
  const listed = parts.reduce((sum, p) => sum + Number(p.split(':')[1]), 0);
  assert.equal(inline + listed, TOTAL, `${inline} in the page and ${listed} in ${parts.length} parts`);
  assert.deepEqual(await page.locator('.grid li[aria-posinset]').first().getAttribute('id'), `photo-${id(0)}`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('scrolling to the end shows every photo once, in order, with a bounded DOM and no layout shift', async () => {
  const { page, problems } = await open('/Big/');
  const firstTop = await page.evaluate(() => document.querySelector('.grid li[aria-posinset]').getBoundingClientRect().top);
  const seen = new Map();
  let largestDom = 0;
  for (let round = 0; round < 3000; round++) {
    const state = await page.evaluate(() => {
      const items = [...document.querySelectorAll('.grid li[aria-posinset]')];
      return {
        items: items.map((li) => [Number(li.getAttribute('aria-posinset')), li.id]),
        dom: document.querySelectorAll('*').length,
        done: document.querySelector('.more')?.hidden,
        atEnd: scrollY + innerHeight >= document.documentElement.scrollHeight - 2,
      };
    });
    for (const [position, itemId] of state.items) {
      const known = seen.get(position);
      assert.ok(known === undefined || known === itemId, `photo ${position} was ${known}, now ${itemId}`);
      seen.set(position, itemId);
    }
    largestDom = Math.max(largestDom, state.dom);
    if (state.done && state.atEnd) break;
    // A screen at a time, as a visitor reads down the album.
    await page.mouse.wheel(0, 800);
    await page.waitForTimeout(25);
  }
  assert.equal(seen.size, TOTAL, 'every photo was in the grid');
  assert.equal(new Set(seen.values()).size, TOTAL, 'each photo once');
  for (const n of [0, 35, 36, 4_999, 9_000, 9_999]) assert.equal(seen.get(n + 1), `photo-${id(n)}`, `photo ${n + 1} in its place`);
  const dom = await page.evaluate(() => document.querySelectorAll('*').length);
  assert.ok(dom <= 3_000, `${dom} elements at the end`);
  assert.ok(largestDom <= 3_000, `at most ${largestDom} elements on the way`);

  // Back to the top: the rows taken out come back exactly where they were.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForFunction(() => document.querySelector('.grid li[aria-posinset]')?.getAttribute('aria-posinset') === '1');
  await page.waitForTimeout(200);
  const top = await page.evaluate(() => document.querySelector('.grid li[aria-posinset]').getBoundingClientRect().top);
  assert.ok(Math.abs(top - firstTop) < 1, `first photo at ${top}, was ${firstTop}`);
  const shifts = await page.evaluate(() => window.shifts);
  assert.ok(shifts < 0.01, `layout shifts add up to ${shifts} over the whole album and back`);
  assert.ok(await page.evaluate(() => document.querySelectorAll('*').length) <= 3_000, 'bounded after going back up');
  assert.deepEqual(problems, []);
  await page.close();
});

test('a deep link to photo 9,000 opens it; the lightbox walks on across parts', async () => {
  // A link from before places were in the address: the parts are looked through.
  const { page, problems } = await open(`/Big/#photo-${id(8_999)}`);
  let shown = await waitForSlide(page, 8_999);
  assert.equal(shown.id, id(8_999));
  for (const n of [9_000, 9_001]) {
    await page.keyboard.press('ArrowRight');
    shown = await waitForSlide(page, n);
    assert.equal(shown.id, id(n));
    assert.equal(shown.hash, `#photo-${id(n)}@${n + 1}`, 'the address names the photo and its place');
  }
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.pswp'));
  assert.deepEqual(problems, []);
  await page.close();
});

test('a link with the photo\'s place fetches the parts around it, not all of them', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const parts = [];
  page.on('request', (r) => { if (r.url().includes('/_g/')) parts.push(r.url()); });
  await page.goto(`${base}/Big/#photo-${id(8_999)}@9000`);
  assert.equal((await waitForSlide(page, 8_999)).id, id(8_999));
  assert.ok(parts.length <= 5, `${parts.length} parts fetched`);
  await page.close();
  // A place that is off (photos were added or removed before it since) still finds the photo.
  const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await other.goto(`${base}/Big/#photo-${id(8_999)}@2000`);
  assert.equal((await waitForSlide(other, 8_999)).id, id(8_999));
  await other.close();
});

test('the lightbox crosses from the page to the first part and from one part to the next', async () => {
  const { page, problems } = await open('/Big/');
  const parts = (await page.locator('.grid').getAttribute('data-parts')).trim().split(' ').map((p) => Number(p.split(':')[1]));
  const inline = TOTAL - parts.reduce((a, b) => a + b, 0);
  await page.locator(`#photo-${id(inline - 1)} a.photo`).click();
  await waitForSlide(page, inline - 1);
  await page.keyboard.press('ArrowRight');
  assert.equal((await waitForSlide(page, inline)).id, id(inline), 'the first photo of the first part');
  await page.keyboard.press('ArrowLeft');
  assert.equal((await waitForSlide(page, inline - 1)).id, id(inline - 1));
  // The last photo of the third part, then on into the fourth (not fetched yet).
  const end = inline + parts[0] + parts[1] + parts[2];
  await page.evaluate((i) => window.pswp.goTo(i), end - 1);
  assert.equal((await waitForSlide(page, end - 1)).id, id(end - 1));
  await page.keyboard.press('ArrowRight');
  assert.equal((await waitForSlide(page, end)).id, id(end));
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard: tabbing past the last photo shown brings in the next ones', async () => {
  const { page, problems } = await open('/Big/');
  const listed = (await page.locator('.grid').getAttribute('data-parts')).trim().split(' ').reduce((sum, p) => sum + Number(p.split(':')[1]), 0);
  const inline = TOTAL - listed;
  await page.locator(`#photo-${id(inline - 1)} a.photo`).focus();
  // Focus scrolled the last photo into view; the next part comes in.
  await page.waitForSelector(`#photo-${id(inline)}`, { timeout: 10_000 });
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => document.activeElement?.closest('li')?.getAttribute('aria-posinset'));
  const position = await page.evaluate(() => Number(document.activeElement.closest('li').getAttribute('aria-posinset')));
  assert.equal(position, inline + 1, 'focus moved to the next photo of the album');
  assert.deepEqual(problems, []);
  await page.close();
});
