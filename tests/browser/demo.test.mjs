// `shoebox demo` in a real browser: the local gate answers like CloudFront (403 → login page,
// signed cookies on every request, login and logout by the edge-auth core), then browse and
// open a photo. Run by ./scripts/test with SHOEBOX_BIN set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

let demo, browser, base, password, dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shoebox-demo-'));
  demo = spawn(process.env.SHOEBOX_BIN, ['demo', '--port', '0', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    demo.on('exit', (code) => reject(new Error(`shoebox demo exited with ${code}: ${out}`)));
    demo.stdout.on('data', (chunk) => {
      out += chunk;
      if (/password: +\S+/.test(out)) resolve();
    });
  });
  base = out.match(/(http:\/\/127\.0\.0\.1:\d+)\//)[1];
  password = out.match(/password: +(\S+)/)[1];
  assert.match(out, /user: +demo/);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
});

after(async () => {
  await browser?.close();
  demo?.kill();
});

test('the gate: 403 with the login page, a wrong password, then in, browse, lightbox, originals, out', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) external.push(r.url()); });

  const denied = await page.goto(`${base}/Coast/`);
  assert.equal(denied.status(), 403, 'no cookies: CloudFront answers 403 with the login page');
  assert.equal(await page.locator('input[name=next]').inputValue(), '/Coast/');
  const photo = await context.request.get(`${base}/Coast/_p/anything/640.jpg`);
  assert.equal(photo.status(), 403, 'photos need the cookies too');

  await page.fill('input[name=username]', 'demo');
  await page.fill('input[name=password]', 'not the password');
  const wrong = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]).then(([r]) => r);
  assert.equal(wrong.status(), 401);

  await page.fill('input[name=username]', 'demo');
  await page.fill('input[name=password]', password);
  await page.locator('input[name=next]').evaluate((el) => { el.value = '/Coast/'; });
  // From here on nothing may break the distribution's Content-Security-Policy (the gate sends it).
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  const [landed] = await Promise.all([page.waitForNavigation({ url: `${base}/Coast/` }), page.click('button[type=submit]')]);
  assert.match(landed.headers()['content-security-policy'], /script-src 'self';/);
  assert.equal(landed.headers()['x-frame-options'], 'DENY');
  await page.waitForLoadState('networkidle');
  assert.equal((await page.locator('h1').textContent()).trim(), 'Along the coast');
  const cookies = (await context.cookies()).map((c) => c.name).sort();
  assert.deepEqual(cookies, ['CloudFront-Key-Pair-Id', 'CloudFront-Policy', 'CloudFront-Signature']);
  const loaded = await page.locator('.grid img').evaluateAll((imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0));
  assert.equal(loaded.length, 6);
  assert.ok(loaded.every(Boolean), 'every photo loads through the gate');

  await page.locator('.grid a.photo').first().click();
  await page.waitForFunction(() => window.pswp?.opener.isOpen && window.pswp.currSlide?.content?.element?.complete);
  const exif = await page.locator('.pswp__caption .pswp-exif').textContent();
  assert.match(exif, /^Shoebox Sample Camera · 1\/\d+ s f\/[\d.]+ ISO \d+ · 2024-\d\d-\d\d \d\d:\d\d$/);
  const original = await page.locator('.pswp__button--original').getAttribute('href');
  assert.match(original, /^\/Coast\/_o\/IMG_\d{4}\.jpg$/, 'originals live under their album');
  const res = await context.request.get(base + original);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-type'], 'image/jpeg');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.querySelector('.pswp'));

  // The clips the demo made with ffmpeg: a video tile per clip, the Live pair as one item, and
  // videos served in byte ranges, uncompressed, as S3 serves them.
  await page.goto(`${base}/Moving%20pictures/`, { waitUntil: 'networkidle' });
  const tiles = await page.locator('.grid a.photo').evaluateAll((links) => links.map((a) => [a.dataset.name, a.querySelector('.mark')?.textContent]));
  assert.deepEqual(tiles.sort(), [['Harbour', '0:03'], ['IMG_0100', 'LIVE'], ['Waves', '0:04']]);
  const clip = await page.locator('.grid a.photo[data-name="Harbour"]').getAttribute('data-video');
  const ranged = await context.request.get(base + clip, { headers: { range: 'bytes=0-99', 'accept-encoding': 'gzip, br' } });
  assert.equal(ranged.status(), 206);
  assert.equal(ranged.headers()['content-type'], 'video/mp4');
  assert.match(ranged.headers()['content-range'], /^bytes 0-99\/\d+$/);
  assert.equal(ranged.headers()['content-encoding'], undefined);
  assert.equal((await ranged.body()).length, 100);
  const played = await page.evaluate(async (src) => {
    const video = Object.assign(document.createElement('video'), { src, muted: true });
    await video.play();
    await new Promise((resolve) => setTimeout(resolve, 600));
    return [video.readyState >= 3, video.currentTime > 0, video.videoWidth, video.videoHeight];
  }, clip);
  assert.deepEqual(played, [true, true, 360, 640], 'the portrait clip plays through the gate');
  assert.deepEqual(problems, [], 'no console errors (CSP violations would be)');

  await Promise.all([page.waitForURL(`${base}/_auth/login`), page.click('a.logout')]);
  assert.deepEqual(await context.cookies(), [], 'logout expires every cookie');
  const again = await page.goto(`${base}/`);
  assert.equal(again.status(), 403);
  assert.deepEqual(external, []);
  await context.close();
});

test('a user added and an album shared while the demo runs work at once, like serve', async () => {
  const shoebox = (args, input) => spawnSync(process.env.SHOEBOX_BIN, [...args, '--data', dir], { input, encoding: 'utf8' });
  const shared = shoebox(['share', 'Coast', '--url', `${base}/`]);
  assert.equal(shared.status, 0, shared.stderr);
  const link = shared.stdout.trim();
  assert.match(link, new RegExp(`^${base}/_auth/share\\?t=`));
  const opened = await fetch(link, { redirect: 'manual' });
  assert.equal(opened.status, 303, 'the demo knows the new share secret and link');
  assert.equal(opened.headers.get('location'), '/Coast/');
  const cookie = opened.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  assert.equal((await fetch(`${base}/Coast/`, { headers: { cookie } })).status, 200, 'the link opens its album');
  assert.equal((await fetch(`${base}/City%20at%20night/`, { headers: { cookie } })).status, 403, 'and no other');

  const added = shoebox(['users', 'add', 'bob'], 'correct horse battery staple\n');
  assert.equal(added.status, 0, added.stderr);
  const body = new URLSearchParams({ username: 'bob', password: 'correct horse battery staple', next: '/' });
  const signedIn = await fetch(`${base}/_auth/login`, { method: 'POST', body, redirect: 'manual' });
  assert.equal(signedIn.status, 303, 'the new user signs in without a restart');
  const listed = shoebox(['users', 'list']);
  assert.deepEqual(listed.stdout.trim().split('\n').sort(), ['bob', 'demo'], 'the demo user is kept beside bob');
});
