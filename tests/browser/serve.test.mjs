// `shoebox users` and `shoebox serve DIR` end to end over HTTP (Node's fetch): nobody can sign
// in until a user is added; the gate serves the folder's gallery to signed-in users only; new
// photos appear without a restart; removed users can no longer sign in. Run by ./scripts/test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from './until.mjs';

const shoebox = process.env.SHOEBOX_BIN;
const fixtures = new URL('../../../shared/fixtures/exif-orientation/', import.meta.url).pathname;
let work, albums, data, serve, base;

const users = (args, input) => spawnSync(shoebox, ['users', ...args, '--data', data], { input, encoding: 'utf8' });

async function login(user, password) {
  const res = await fetch(`${base}/_auth/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: user, password, next: '/' }),
  });
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return { status: res.status, cookie };
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'shoebox-serve-'));
  albums = join(work, 'albums');
  data = join(work, 'data');
  mkdirSync(join(albums, 'Trip'), { recursive: true });
  copyFileSync(join(fixtures, 'Landscape_1.jpg'), join(albums, 'Trip', 'a.jpg'));
});

after(() => { serve?.kill(); rmSync(work, { recursive: true, force: true }); });

test('serve refuses to start with no users; users add checks the password', () => {
  const refused = spawnSync(shoebox, ['serve', albums, '--data', data, '--port', '0'], { encoding: 'utf8' });
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /nobody can sign in yet: add someone with `shoebox users add NAME --data /);
  const short = users(['add', 'anna'], 'short\n');
  assert.notEqual(short.status, 0);
  assert.match(short.stderr, /at least 8 characters/);
  assert.notEqual(users(['add', 'a:b'], 'long enough\n').status, 0, 'a colon would break htpasswd');
  const weak = users(['add', 'anna'], 'password1\n');
  assert.notEqual(weak.status, 0);
  assert.match(weak.stderr, /easy to guess .*--allow-weak/s);
  assert.equal(users(['list']).stdout, '', 'nobody was added');
  assert.equal(users(['add', 'anna'], 'correct horse battery staple\n').status, 0);
  assert.equal(users(['list']).stdout, 'anna\n');
});

test('serve: signed-in only, live rebuilds, user changes without a restart', async () => {
  serve = spawn(shoebox, ['serve', albums, '--data', data, '--port', '0', '--title', 'Home'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    serve.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    serve.stdout.on('data', (chunk) => { out += chunk; if (/http:\/\/127\.0\.0\.1:\d+\//.test(out)) resolve(); });
  });
  base = out.match(/(http:\/\/127\.0\.0\.1:\d+)\//)[1];

  assert.equal((await fetch(`${base}/`)).status, 403);
  assert.equal((await login('anna', 'wrong password')).status, 401);
  const { status, cookie } = await login('anna', 'correct horse battery staple');
  assert.equal(status, 303);
  const page = async (path) => fetch(base + path, { headers: { cookie } });
  const index = await (await page('/')).text();
  assert.match(index, /<title>Home<\/title>/);
  assert.match(index, /tile-title">Trip</);

  mkdirSync(join(albums, 'New album'));
  copyFileSync(join(fixtures, 'Portrait_3.jpg'), join(albums, 'New album', 'p.jpg'));
  await until('the new album on the index', async () => /tile-title">New album</.test(await (await page('/')).text()));
  assert.equal((await page('/New%20album/')).status, 200);

  rmSync(join(albums, 'Trip', 'a.jpg'));
  await until('the emptied album to go', async () => (await page('/Trip/')).status === 404);

  assert.equal(users(['add', 'bob'], 'another quiet harbour\n').status, 0);
  await until('bob can sign in', async () => (await login('bob', 'another quiet harbour')).status === 303);
  assert.equal(users(['remove', 'anna']).status, 0);
  await until('anna can no longer sign in', async () => (await login('anna', 'correct horse battery staple')).status === 401);
  assert.equal((await page('/')).status, 200, 'cookies already issued stay valid until they expire');
});
