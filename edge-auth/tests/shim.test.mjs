// The edge bundle as Lambda@Edge runs it: Node.js loads dist/index.mjs + edge_auth.wasm and
// handles CloudFront event fixtures. Cookies are compared byte for byte with the AWS SDKs' own
// signers (@aws-sdk/cloudfront-signer here, botocore via botocore_compat.py) and verified with
// Node's crypto. Run by ./scripts/test after ./scripts/build-edge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createPublicKey, createHmac, verify } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { getSignedCookies } from '@aws-sdk/cloudfront-signer';
import bcrypt from 'bcryptjs';
import { SecretsManagerClient, CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { S3Client, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';

const here = new URL('.', import.meta.url).pathname;
const dist = new URL('../dist/', import.meta.url).pathname;
const fixture = (name) => JSON.parse(readFileSync(join(here, 'fixtures', name), 'utf8'));
const HOST = 'd111111abcdef8.cloudfront.net';
const KEY_PAIR_ID = 'K2JCJMDEHXQW5F';
const work = mkdtempSync(join(tmpdir(), 'shoebox-edge-'));
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' });
const ALICE = 'alice:$2y$04$778MjvI.Jzj5S5zk4NSfs.wvDDtABgOzRel8vQ16CD3AIZ6iENAr6'; // "wonderland"

let generation = 0;
/** A fresh shim instance (new module, new wasm) with the given configuration. */
async function shim(config) {
  const file = join(work, `config-${++generation}.json`);
  writeFileSync(file, JSON.stringify({
    keyPairId: KEY_PAIR_ID, privateKeyPem, htpasswd: ALICE, sessionSeconds: 3600, rememberSeconds: 86400,
    title: 'The Family Shoebox', ...config,
  }));
  process.env.SHOEBOX_EDGE_CONFIG_FILE = file;
  const mod = await import(`${new URL('index.mjs', `file://${dist}`).href}?v=${generation}`);
  return mod.handler;
}

function cookieMap(response) {
  const out = {};
  for (const { value } of response.headers['set-cookie'] ?? []) {
    const [pair] = value.split(';');
    const i = pair.indexOf('=');
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

function cfDecode(text) {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

function assertCloudFrontShape(response) {
  assert.equal(typeof response.status, 'string');
  assert.ok(!JSON.stringify(response).includes('null'), 'no null fields');
  for (const [name, values] of Object.entries(response.headers)) {
    assert.equal(name, name.toLowerCase(), `header key ${name} is lower case`);
    assert.ok(Array.isArray(values) && values.every((v) => typeof v.value === 'string'));
  }
}

test('the wasm module has no imports and the bundle fits Lambda@Edge', () => {
  const module = new WebAssembly.Module(readFileSync(join(dist, 'edge_auth.wasm')));
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  // Deflate size of each file approximates the zip the deploy uploads.
  let zipped = 0;
  for (const f of readdirSync(dist)) zipped += deflateRawSync(readFileSync(join(dist, f)), { level: 9 }).length;
  console.log(`bundle: ${zipped} bytes deflated (${readdirSync(dist).map((f) => `${f} ${statSync(join(dist, f)).size}`).join(', ')})`);
  assert.ok(zipped < 1024 * 1024, 'under the 1 MiB Lambda@Edge limit');
  assert.ok(zipped < 300 * 1024, 'under the 300 KiB budget');
});

test('login page, form login, failure, logout and junk through the real bundle', async () => {
  const handler = await shim({});
  const page = await handler(fixture('login-page.json'));
  assertCloudFrontShape(page);
  assert.equal(page.status, '200');
  assert.match(page.body, /The Family Shoebox/);
  assert.match(page.body, /name="next" value="\/Trips\/Rome%202024\/"/);

  const ok = await handler(fixture('login-form-ok.json'));
  assertCloudFrontShape(ok);
  assert.equal(ok.status, '303');
  assert.equal(ok.headers.location[0].value, '/Trips/Rome%202024/');
  const signed = ok.headers['set-cookie'].filter(({ value }) => value.startsWith('CloudFront-'));
  assert.equal(signed.length, 3);
  for (const { value } of signed) {
    for (const attr of ['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(value.includes(attr), `${value} has ${attr}`);
    assert.ok(!value.includes('Max-Age'), 'session cookie');
  }
  // A whole-site sign-in clears the album limit an earlier share link may have left.
  assert.ok(ok.headers['set-cookie'].some(({ value }) => value.startsWith('shoebox-scope=;') && value.includes('Max-Age=0')));
  const policy = JSON.parse(cfDecode(cookieMap(ok)['CloudFront-Policy']).toString());
  const expiry = policy.Statement[0].Condition.DateLessThan['AWS:EpochTime'];
  assert.equal(policy.Statement[0].Resource, `https://${HOST}/*`);
  assert.ok(Math.abs(expiry - (Date.now() / 1000 + 3600)) < 30, 'expires one session from now');

  const remember = await handler(fixture('login-form-remember.json'));
  const kept = remember.headers['set-cookie'].filter(({ value }) => value.startsWith('CloudFront-'));
  assert.ok(kept.length === 3 && kept.every(({ value }) => value.includes('Max-Age=86400')));

  for (const name of ['login-form-wrong.json', 'login-form-unknown-user.json']) {
    const denied = await handler(fixture(name));
    assertCloudFrontShape(denied);
    assert.equal(denied.status, '401', name);
    assert.match(denied.body, /Wrong user name or password/);
    assert.equal(denied.headers['set-cookie'], undefined);
  }

  const open = await handler(fixture('login-open-redirect.json'));
  assert.equal(open.headers.location[0].value, '/', 'no open redirect');

  const json = await handler(fixture('login-json-ok.json'));
  assert.equal(json.status, '200');
  assert.deepEqual(JSON.parse(json.body), { ok: true, next: '/' });

  const out = await handler(fixture('logout.json'));
  assert.equal(out.status, '303');
  assert.equal(out.headers.location[0].value, '/_auth/login');
  assert.ok(out.headers['set-cookie'].every(({ value }) => value.includes('Max-Age=0')));

  assert.equal((await handler(fixture('wrong-method.json'))).status, '405');
  assert.equal((await handler(fixture('login-truncated.json'))).status, '413');
  assert.equal((await handler(fixture('junk-body.json'))).status, '400');
  assert.equal((await handler({ not: 'an event' })).status, '400');
});

for (const algorithm of ['SHA1', 'SHA256']) {
  test(`cookies are byte-identical to both AWS SDK signers and verify (${algorithm})`, async () => {
    const handler = await shim({ hashAlgorithm: algorithm });
    const response = await handler(fixture('login-form-ok.json'));
    const ours = cookieMap(response);
    const policyText = cfDecode(ours['CloudFront-Policy']).toString();
    const expires = JSON.parse(policyText).Statement[0].Condition.DateLessThan['AWS:EpochTime'];

    const theirs = getSignedCookies({ policy: policyText, keyPairId: KEY_PAIR_ID, privateKey: privateKeyPem, algorithm });
    assert.equal(ours['CloudFront-Policy'], theirs['CloudFront-Policy']);
    assert.equal(ours['CloudFront-Signature'], theirs['CloudFront-Signature']);
    assert.equal(ours['CloudFront-Key-Pair-Id'], theirs['CloudFront-Key-Pair-Id']);
    assert.equal(ours['CloudFront-Hash-Algorithm'], theirs['CloudFront-Hash-Algorithm']);

    const signatureOk = verify(
      algorithm === 'SHA256' ? 'RSA-SHA256' : 'RSA-SHA1',
      Buffer.from(policyText),
      createPublicKey(privateKey),
      cfDecode(ours['CloudFront-Signature']),
    );
    assert.ok(signatureOk, 'signature verifies with the public key');

    const python = process.env.SHOEBOX_PYTHON;
    assert.ok(python, 'SHOEBOX_PYTHON (the .venv python with botocore) is set by ./scripts/test');
    const caseFile = join(work, `case-${algorithm}.json`);
    writeFileSync(caseFile, JSON.stringify({ privateKeyPem, keyPairId: KEY_PAIR_ID, host: HOST, expires, algorithm, policyText, cookies: ours }));
    const out = execFileSync(python, [join(here, 'botocore_compat.py'), caseFile], { encoding: 'utf8' });
    assert.match(out, /botocore agrees/);
  });
}

test('bcrypt cost 10 hashes made by another tool (bcryptjs) verify', async () => {
  const hash = bcrypt.hashSync('correct horse', 10);
  const handler = await shim({ htpasswd: `bob:${hash}\n${ALICE}\n` });
  const event = fixture('login-form-ok.json');
  event.Records[0].cf.request.body.data = Buffer.from('username=bob&password=correct%20horse').toString('base64');
  assert.equal((await handler(event)).status, '303');
});

test('a configuration with a non-bcrypt user is refused with a clear 503, not a crash', async () => {
  const handler = await shim({ htpasswd: 'carol:$apr1$abc$def' });
  const r = await handler(fixture('login-page.json'));
  assert.equal(r.status, '503');
});

test('a share link\'s cookies name one album and are byte-identical to the AWS SDK signer\'s', async () => {
  const secret = Buffer.alloc(32, 2);
  const handler = await shim({ shareSecret: secret.toString('base64'), shareCookieSeconds: 7200 });
  // The token as `shoebox share` makes it: base64url(claims JSON) "." base64url(HMAC-SHA256).
  const claims = JSON.stringify({ v: 1, a: 'Trips/Rome 2024', p: '/Trips/Rome%202024/', e: Math.floor(Date.now() / 1000) + 86400, i: 'abcdef0123' });
  const token = `${Buffer.from(claims).toString('base64url')}.${createHmac('sha256', secret).update(claims).digest('base64url')}`;
  const event = fixture('login-page.json');
  Object.assign(event.Records[0].cf.request, { uri: '/_auth/share', querystring: `t=${token}` });
  const response = await handler(event);
  assertCloudFrontShape(response);
  assert.equal(response.status, '303');
  assert.equal(response.headers.location[0].value, '/Trips/Rome%202024/');
  const ours = cookieMap(response);
  const policyText = cfDecode(ours['CloudFront-Policy']).toString();
  const expires = JSON.parse(policyText).Statement[0].Condition.DateLessThan['AWS:EpochTime'];
  const now = Math.floor(Date.now() / 1000);
  assert.ok(expires > now + 7100 && expires <= now + 7200, 'the cookie lifetime, not the link\'s day');
  const expected = JSON.stringify({ Statement: [{ Resource: `https://${HOST}/Trips/Rome%202024/*`, Condition: { DateLessThan: { 'AWS:EpochTime': expires } } }] });
  assert.equal(policyText, expected, 'one album\'s pattern, compact JSON');
  const theirs = getSignedCookies({ policy: expected, keyPairId: KEY_PAIR_ID, privateKey: privateKeyPem });
  for (const name of ['CloudFront-Policy', 'CloudFront-Signature', 'CloudFront-Key-Pair-Id']) {
    assert.equal(ours[name], theirs[name], name);
  }
  assert.equal(ours['shoebox-scope'], '/Trips/Rome%202024/');
  // A token signed with another secret opens nothing.
  const forged = `${Buffer.from(claims).toString('base64url')}.${createHmac('sha256', Buffer.alloc(32, 9)).update(claims).digest('base64url')}`;
  Object.assign(event.Records[0].cf.request, { querystring: `t=${forged}` });
  const refused = await handler(event);
  assert.equal(refused.status, '400');
  assert.equal(refused.headers['set-cookie'], undefined);
});

test('deployed as an origin-request trigger: same answer, cookies for the viewer\'s Host', async () => {
  const handler = await shim({});
  const event = fixture('login-origin-request.json');
  assert.equal(event.Records[0].cf.config.eventType, 'origin-request');
  const r = await handler(event);
  assertCloudFrontShape(r);
  assert.equal(r.status, '303');
  assert.equal(r.headers.location[0].value, '/Trips/Rome%202024/');
  const policy = JSON.parse(cfDecode(cookieMap(r)['CloudFront-Policy']).toString('utf8'));
  assert.equal(policy.Statement[0].Resource, 'https://photos.example.com/*', 'the viewer\'s Host, not the origin\'s');
});

test('in AWS the keys come from Secrets Manager, named after the function, and the users from the access object (moto)', async () => {
  const endpoint = process.env.SHOEBOX_TEST_ENDPOINT;
  assert.ok(endpoint, 'SHOEBOX_TEST_ENDPOINT (moto) is set by ./scripts/test');
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: `us-east-1.shoebox-EdgeAuth-${process.pid}`,
  });
  delete process.env.SHOEBOX_EDGE_CONFIG_FILE;
  const { secretIdFor } = await import(`${new URL('index.mjs', `file://${dist}`).href}?v=secrets`);
  assert.equal(secretIdFor(), `shoebox-EdgeAuth-${process.pid}-keys`, 'replica region prefix stripped');
  // The key lives in the secret (beside both slots, which the edge ignores); the users in S3.
  const bucket = `access-${process.pid}`;
  const s3 = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint });
  await sm.send(new CreateSecretCommand({
    Name: secretIdFor(),
    SecretString: JSON.stringify({
      keyPairId: KEY_PAIR_ID, privateKeyPem, title: 'Ours', accessBucket: bucket, accessObject: 'access.json',
      generation: 1, slots: [privateKeyPem, privateKeyPem],
    }),
  }));
  const none = await import(`${new URL('index.mjs', `file://${dist}`).href}?v=secrets-1`);
  assert.equal((await none.handler(fixture('login-form-ok.json'))).status, '401', 'no access object yet: nobody');
  const put = (users) => s3.send(new PutObjectCommand({
    Bucket: bucket, Key: 'access.json', Body: JSON.stringify({ users, access: { scopes: {} } }),
  }));
  await put(`# people\n${ALICE}\n`);
  const mod = await import(`${new URL('index.mjs', `file://${dist}`).href}?v=secrets-2`);
  const ok = await mod.handler(fixture('login-form-ok.json'));
  assert.equal(ok.status, '303');
  assert.equal(cookieMap(ok)['CloudFront-Key-Pair-Id'], KEY_PAIR_ID);
  // A user removed from the object is refused once the five-minute cache has expired (new instance here).
  await put('# nobody\n');
  const fresh = await import(`${new URL('index.mjs', `file://${dist}`).href}?v=secrets-3`);
  assert.equal((await fresh.handler(fixture('login-form-ok.json'))).status, '401');
});
