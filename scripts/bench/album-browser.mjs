// What a visitor's browser loads for a big album before the first scroll: headless Chromium
// (Debian's package) opens OUT/web/BIG/ from a local server that serves ALBUM/_p/… from OUT/resized
// and gzips text like CloudFront's compression, and counts every response. Then, on the desktop
// screen, it scrolls to the end of the album (the grid's parts arrive as it goes) and records the
// page's element count on the way, and Lighthouse (mobile, its default throttling) rates the
// page. Run by scripts/bench-album; prints JSON.
//
//   node scripts/bench/album-browser.mjs OUT ALBUM_PATH
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, normalize, extname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const [out, album] = process.argv.slice(2);
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.jpg': 'image/jpeg', '.json': 'application/json', '.mp4': 'video/mp4' };
const gzipped = new Map();
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const root = path.includes('/_p/') ? join(out, 'resized') : join(out, 'web');
  let file = normalize(join(root, path));
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!file.startsWith(root) || !existsSync(file)) { res.writeHead(404).end(); return; }
  const type = types[extname(file)] ?? 'application/octet-stream';
  let body = readFileSync(file);
  const headers = { 'content-type': type };
  if (!/^(image|video)\//.test(type) && /gzip/.test(req.headers['accept-encoding'] ?? '')) {
    if (!gzipped.has(file)) gzipped.set(file, gzipSync(body, { level: 6 }));
    body = gzipped.get(file);
    headers['content-encoding'] = 'gzip';
  }
  res.writeHead(200, headers).end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });

const screens = [
  { name: 'desktop 1366×768 @1x', viewport: { width: 1366, height: 768 }, deviceScaleFactor: 1 },
  { name: 'laptop 1440×900 @2x', viewport: { width: 1440, height: 900 }, deviceScaleFactor: 2 },
  { name: 'phone 390×844 @3x', viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
];
const results = [];
for (const screen of screens) {
  const context = await browser.newContext({ ...screen, name: undefined });
  const page = await context.newPage();
  const bytes = { document: 0, stylesheet: 0, script: 0, image: 0, other: 0 };
  const counts = { document: 0, stylesheet: 0, script: 0, image: 0, other: 0 };
  const pending = [];
  page.on('requestfinished', (request) => pending.push((async () => {
    const sizes = await request.sizes();
    const kind = request.resourceType() in bytes ? request.resourceType() : 'other';
    bytes[kind] += sizes.responseBodySize + sizes.responseHeadersSize;
    counts[kind] += 1;
  })()));
  const started = Date.now();
  await page.goto(`${base}/${album.split('/').map(encodeURIComponent).join('/')}/`, { waitUntil: 'networkidle' });
  const settled = Date.now() - started;
  await Promise.all(pending);
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd),
      load_ms: Math.round(nav.loadEventEnd),
      photos: document.querySelectorAll('.grid img').length,
      images_loaded: [...document.querySelectorAll('.grid img')].filter((i) => i.complete && i.naturalWidth && i.currentSrc).length,
      heap_mb: Math.round((performance.memory?.usedJSHeapSize ?? 0) / 1e5) / 10,
    };
  });
  const total = Object.values(bytes).reduce((a, b) => a + b, 0);
  const result = { screen: screen.name, total_bytes: total, bytes, requests: counts, settled_ms: settled, ...timing };
  if (screen === screens[0]) result.scroll_to_end = await scrollToEnd(page);
  results.push(result);
  await context.close();
}
await browser.close();

// Scrolls down a screen at a time until the grid says nothing is left to show.
async function scrollToEnd(page) {
  const started = Date.now();
  let largest = 0;
  let steps = 0;
  for (; steps < 5000; steps++) {
    const state = await page.evaluate(() => ({
      dom: document.querySelectorAll('*').length,
      left: !(document.querySelector('.more')?.hidden ?? true),
      atEnd: scrollY + innerHeight >= document.documentElement.scrollHeight - 2,
    }));
    largest = Math.max(largest, state.dom);
    if (!state.left && state.atEnd) break;
    await page.mouse.wheel(0, 2000);
    await page.waitForTimeout(20);
  }
  const end = await page.evaluate(() => ({
    dom_at_end: document.querySelectorAll('*').length,
    last_photo: Number(document.querySelector('.grid li[aria-posinset]:last-of-type')?.getAttribute('aria-posinset')
      ?? [...document.querySelectorAll('.grid li[aria-posinset]')].at(-1)?.getAttribute('aria-posinset')),
  }));
  return { seconds: (Date.now() - started) / 1000, wheel_steps: steps, dom_largest: largest, ...end };
}

// Lighthouse's performance score for the album page, as a phone on a slow connection would see it.
const lighthouse = (await import('lighthouse')).default;
const { launch } = await import('chrome-launcher');
const chrome = await launch({ chromePath: process.env.CHROMIUM ?? '/usr/bin/chromium', chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'] });
const url = `${base}/${album.split('/').map(encodeURIComponent).join('/')}/`;
const run = await lighthouse(url, { port: chrome.port, onlyCategories: ['performance'], output: 'json', logLevel: 'error' });
const audits = run.lhr.audits;
const lh = {
  lighthouse: run.lhr.lighthouseVersion,
  form_factor: run.lhr.configSettings.formFactor,
  performance: Math.round(run.lhr.categories.performance.score * 100),
  lcp_ms: Math.round(audits['largest-contentful-paint'].numericValue),
  tbt_ms: Math.round(audits['total-blocking-time'].numericValue),
  cls: audits['cumulative-layout-shift'].numericValue,
  fcp_ms: Math.round(audits['first-contentful-paint'].numericValue),
  dom_elements: audits['dom-size']?.numericValue ?? audits['dom-size-insight']?.numericValue,
};
await chrome.kill();
server.close();
console.log(JSON.stringify({ screens: results, lighthouse: lh }, null, 2));
