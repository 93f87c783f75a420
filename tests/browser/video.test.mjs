// Videos and Live Photos in a real browser: clips made here with the pinned ffmpeg (an iPhone-like
// portrait HEVC 10-bit MOV, a web-ready H.264 MP4, a VP9 WebM, a Live-Photo-like pair matched by
// name, a text file named .mp4), built by `shoebox build`, served the way the distribution routes
// them (with byte ranges, as S3 answers them) under its Content-Security-Policy, and played by
// headless Chromium. Run by ./scripts/test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync, readFileSync, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize, extname } from 'node:path';
import { chromium } from 'playwright-core';

const fixtures = new URL('../../../shared/fixtures/exif-orientation/', import.meta.url).pathname;
const shoebox = process.env.SHOEBOX_BIN;
const ffmpeg = process.env.SHOEBOX_FFMPEG;
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.jpg': 'image/jpeg', '.json': 'application/json', '.mp4': 'video/mp4' };
const template = readFileSync(new URL('../../template.yaml', import.meta.url), 'utf8');
const csp = /ContentSecurityPolicy: "([^"]+)"/.exec(template)[1];
let server, base, browser, build;

const make = (args) => execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

before(async () => {
  assert.ok(shoebox && existsSync(shoebox), 'SHOEBOX_BIN (the built shoebox binary) is set by ./scripts/test');
  assert.ok(ffmpeg && existsSync(ffmpeg), 'SHOEBOX_FFMPEG (the pinned ffmpeg) is set by ./scripts/test');
  const work = mkdtempSync(join(tmpdir(), 'shoebox-video-'));
  const album = join(work, 'albums', 'Holiday');
  mkdirSync(album, { recursive: true });
  const coded = join(work, 'coded.mov');
  // 320×240 coded with a white square top left, turned to portrait by the display matrix.
  make(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=2,drawbox=x=0:y=0:w=60:h=60:color=white:t=fill',
    '-f', 'lavfi', '-i', 'sine=duration=2', '-c:v', 'libx265', '-x265-params', 'log-level=error',
    '-pix_fmt', 'yuv420p10le', '-tag:v', 'hvc1', '-c:a', 'aac', '-shortest', coded]);
  make(['-display_rotation', '-90', '-i', coded, '-c', 'copy', join(album, 'Portrait clip.MOV')]);
  make(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=3', '-f', 'lavfi', '-i', 'sine=duration=3',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', join(album, 'ready.mp4')]);
  make(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=2', '-c:v', 'libvpx-vp9', '-b:v', '200k', join(album, 'screen.webm')]);
  // A Live-Photo-like pair: a still and a 2 s clip of the same name.
  copyFileSync(join(fixtures, 'Landscape_1.jpg'), join(album, 'IMG_0007.JPG'));
  make(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(album, 'IMG_0007.MOV')]);
  writeFileSync(join(album, 'notes.mp4'), 'not a video at all\n');

  const out = join(work, 'site');
  build = spawnSync(shoebox, ['build', join(work, 'albums'), '--out', out, '--jobs', '2'], { encoding: 'utf8' });

  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const root = path.includes('/_p/') ? join(out, 'resized') : join(out, 'web');
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) { res.writeHead(400).end(); return; }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) { res.writeHead(404, { 'content-security-policy': csp }).end(); return; }
    const body = readFileSync(file);
    const headers = { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'content-security-policy': csp, 'accept-ranges': 'bytes' };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${body.length}` }).end(body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, headers).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--autoplay-policy=no-user-gesture-required'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function open(path) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  await page.goto(base + path, { waitUntil: 'networkidle' });
  return { page, problems };
}

test('the build names the file that is not a video, with its reason, and shows everything else', () => {
  assert.equal(build.status, 1, build.stderr);
  assert.match(build.stderr, /Holiday\/notes\.mp4 cannot be shown: not a video Shoebox can read/);
  assert.match(build.stderr, /5 resized, 0 unchanged, 0 removed, 0 failed, 1 cannot be shown/);
  assert.doesNotMatch(build.stderr, /IMG_0007\.MOV cannot|Portrait clip|screen\.webm cannot|ready\.mp4 cannot/);
});

test('videos are tiles with a play mark and duration; a Live Photo is one item with a LIVE mark', async () => {
  const { page, problems } = await open('/Holiday/');
  const tiles = await page.locator('.grid a.photo').evaluateAll((links) => links.map((a) => ({
    name: a.dataset.name, video: a.dataset.video ?? null, live: 'live' in a.dataset,
    mark: a.querySelector('.mark')?.textContent ?? null, alt: a.querySelector('img').alt,
  })));
  assert.deepEqual(tiles.map((t) => t.name).sort(), ['IMG_0007', 'Portrait clip', 'ready', 'screen'], 'the Live clip is no item of its own');
  const by = Object.fromEntries(tiles.map((t) => [t.name, t]));
  assert.equal(by['Portrait clip'].mark, '0:02');
  assert.equal(by.ready.mark, '0:03');
  assert.equal(by['Portrait clip'].alt, 'Portrait clip (video, 0:02)');
  assert.equal(by.IMG_0007.mark, 'LIVE');
  assert.ok(by.IMG_0007.live && by.IMG_0007.video.endsWith('/video.mp4'));
  assert.equal(by.IMG_0007.alt, 'IMG_0007 (Live Photo)');
  for (const t of tiles) assert.ok(t.video?.startsWith('/Holiday/_p/'), `${t.name}: under the album's own path`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('every web MP4 plays in Chromium, and the portrait clip is upright', async () => {
  const { page } = await open('/Holiday/');
  const sources = await page.locator('.grid a.photo[data-video]').evaluateAll((links) => links.map((a) => [a.dataset.name, a.dataset.video]));
  for (const [name, src] of sources) {
    const played = await page.evaluate(async (src) => {
      const video = Object.assign(document.createElement('video'), { src, muted: true, playsInline: true });
      document.body.append(video);
      await video.play();
      const start = video.currentTime;
      await new Promise((resolve) => setTimeout(resolve, 800));
      const result = { readyState: video.readyState, advanced: video.currentTime > start, width: video.videoWidth, height: video.videoHeight, error: video.error?.message ?? null };
      video.remove();
      return result;
    }, src);
    assert.ok(played.readyState >= 3 && played.advanced && !played.error, `${name}: ${JSON.stringify(played)}`);
    if (name === 'Portrait clip') assert.deepEqual([played.width, played.height], [240, 320], 'portrait stays portrait');
  }
  await page.close();
});

test('the lightbox plays a video with controls, pauses it on the next slide, and downloads the MP4', async () => {
  const { page, problems } = await open('/Holiday/');
  await page.click('.grid a.photo[data-name="ready"]');
  const video = page.locator('.pswp__item video[controls]').first();
  await video.waitFor({ state: 'visible' });
  assert.equal(await video.getAttribute('playsinline'), '');
  await video.evaluate((v) => { v.muted = true; return v.play(); });
  await page.waitForFunction(() => [...document.querySelectorAll('.pswp video[controls]')].some((v) => v.currentTime > 0.2));
  const download = page.locator('.pswp__button--download');
  assert.match(await download.getAttribute('href'), /\/video\.mp4$/);
  assert.equal(await download.getAttribute('download'), 'ready.mp4');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => [...document.querySelectorAll('.pswp video[controls]')].every((v) => v.paused));
  assert.deepEqual(problems, []);
  await page.close();
});

test('a Live Photo moves on hover and from the lightbox LIVE button, then shows the still again', async () => {
  const { page, problems } = await open('/Holiday/');
  const tile = page.locator('.grid a.photo[data-live]');
  await tile.hover();
  await page.waitForSelector('.grid a.photo[data-live] video.motion');
  await page.mouse.move(0, 0);
  await page.waitForSelector('.grid a.photo[data-live] video.motion', { state: 'detached' });
  await tile.click();
  const live = page.locator('.pswp__button--live');
  await live.waitFor({ state: 'visible' });
  assert.equal(await live.getAttribute('title'), 'Play the Live Photo');
  await live.focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('.pswp video.pswp-motion');
  // It ends after its 2 s and the still is back.
  await page.waitForSelector('.pswp video.pswp-motion', { state: 'detached', timeout: 10_000 });
  assert.match(await page.locator('.pswp__button--download').getAttribute('download'), /\.jpg$/, 'a Live Photo downloads its still');
  assert.deepEqual(problems, []);
  await page.close();
});
