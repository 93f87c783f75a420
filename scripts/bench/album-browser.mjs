// What a visitor's browser loads for a big album before the first scroll: headless Chromium
// (Debian's package) opens OUT/web/BIG/ from a local server that serves ALBUM/_p/… from OUT/resized
// and gzips text like CloudFront's compression, and counts every response. Run by
// scripts/bench-album; prints JSON.
//
//   node scripts/bench/album-browser.mjs OUT ALBUM_PATH
import { createServer } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, normalize, extname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const [out, album] = process.argv.slice(2);
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.jpg': 'image/jpeg' };
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
  if (!type.startsWith('image/') && /gzip/.test(req.headers['accept-encoding'] ?? '')) {
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
  results.push({ screen: screen.name, total_bytes: total, bytes, requests: counts, settled_ms: settled, ...timing });
  await context.close();
}
await browser.close();
server.close();
console.log(JSON.stringify(results, null, 2));
