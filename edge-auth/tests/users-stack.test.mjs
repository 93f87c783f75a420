// `shoebox users|share --stack` against a deployed-looking gallery in moto: a CloudFormation stack
// whose AccessBucket output names the access bucket, as template.yaml's does, beside the keys secret
// with the signing key (which the commands never read). Then the edge bundle (dist/index.mjs + wasm,
// run as Lambda@Edge runs it, named after the stack) loads both: the added user signs in, the
// removed one does not; edits made at the same moment all survive (conditional writes).
// Run by ./scripts/test (moto at SHOEBOX_TEST_ENDPOINT, the shoebox binary at SHOEBOX_BIN).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { firstAccess } from '../../deploy/stack-helper/index.mjs';

const endpoint = process.env.SHOEBOX_TEST_ENDPOINT;
const shoebox = process.env.SHOEBOX_BIN;
const dist = new URL('../dist/', import.meta.url).pathname;
const here = new URL('.', import.meta.url).pathname;

const env = {
  ...process.env,
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
};

/** Runs `shoebox users …`, feeding `input` on stdin; returns { status, stderr, stdout }. */
function users(args, input = '') {
  const r = spawnSync(shoebox, ['users', ...args], { env, input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A login event for the edge function, as CloudFront's origin-request trigger sends it. */
function login(username, password) {
  const event = JSON.parse(readFileSync(join(here, 'fixtures', 'login-origin-request.json'), 'utf8'));
  const request = event.Records[0].cf.request;
  request.body.data = Buffer.from(new URLSearchParams({ username, password, next: '/' }).toString()).toString('base64');
  return event;
}

/** The event of a share link being opened (a GET of /_auth/share?t=…). */
function opening(link) {
  const event = JSON.parse(readFileSync(join(here, 'fixtures', 'login-origin-request.json'), 'utf8'));
  const request = event.Records[0].cf.request;
  const url = new URL(link);
  Object.assign(request, { method: 'GET', uri: url.pathname, querystring: url.search.slice(1) });
  delete request.body;
  return event;
}

/** The Resource of the policy in a response's cookies. */
function resourceOf(response) {
  const value = response.headers['set-cookie'].map((c) => c.value).find((v) => v.startsWith('CloudFront-Policy='));
  const policy = value.split(';')[0].slice('CloudFront-Policy='.length).replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/');
  return JSON.parse(Buffer.from(policy, 'base64').toString('utf8')).Statement[0].Resource;
}

/** A stack in moto that looks like a deployed Shoebox: its keys secret, access and web buckets, outputs. */
async function deployedStack(clients, stack, { users = '# Who may sign in\n', gallery } = {}) {
  const secrets = new SecretsManagerClient(clients);
  const s3 = new S3Client({ ...clients, forcePathStyle: true });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const bucket = `${stack}-access`.toLowerCase();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // What the stack helper writes at deploy: both key slots, the active key with its CloudFront key
  // id, where the access object is, and that object (the given users, a share secret).
  const config = {
    generation: 1, slots: [privateKeyPem, privateKeyPem], keyPairId: 'K3STACKKEY0001', privateKeyPem,
    title: 'Stack Gallery', accessBucket: bucket, accessObject: 'access.json',
  };
  const keysSecret = `${stack}-edge-auth-keys`;
  await secrets.send(new CreateSecretCommand({ Name: keysSecret, SecretString: JSON.stringify(config) }));
  if (users !== null) {
    const first = firstAccess(users, JSON.stringify({ shareSecret: Buffer.alloc(32, 3).toString('base64') }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'access.json', Body: JSON.stringify(first) }));
  }
  const web = `${stack}-web`.toLowerCase();
  await s3.send(new CreateBucketCommand({ Bucket: web }));
  if (gallery) await s3.send(new PutObjectCommand({ Bucket: web, Key: '_data/gallery.json', Body: JSON.stringify(gallery) }));
  await new CloudFormationClient(clients).send(new CreateStackCommand({
    StackName: stack,
    TemplateBody: JSON.stringify({
      Resources: { Marker: { Type: 'AWS::SQS::Queue' } },
      Outputs: {
        AccessBucket: { Value: bucket },
        WebBucket: { Value: web },
        SiteUrl: { Value: 'https://photos.example.com/' },
      },
    }),
  }));
  /** The access object as stored now. */
  const stored = async () => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'access.json' }))).Body.transformToString());
  return { config, keysSecret, secrets, stored };
}

/** Runs `shoebox ARGS` without waiting; resolves to { status, stderr, stdout }. */
function started(args, input = '') {
  return new Promise((resolve) => {
    const child = spawn(shoebox, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

let instance = 0;
/** A cold start of the edge function named after `stack` (fresh module: no cached config). */
async function edge(stack) {
  Object.assign(process.env, env, { AWS_LAMBDA_FUNCTION_NAME: `us-east-1.${stack}-edge-auth` });
  delete process.env.SHOEBOX_EDGE_CONFIG_FILE;
  return (await import(`${new URL('index.mjs', `file://${dist}`).href}?users-stack=${++instance}`)).handler;
}

test('users --stack edits the deployed sign-in configuration, and the edge follows it', async () => {
  assert.ok(endpoint, 'SHOEBOX_TEST_ENDPOINT (moto) is set by ./scripts/test');
  assert.ok(shoebox && existsSync(shoebox), 'SHOEBOX_BIN (the built shoebox binary) is set by ./scripts/test');
  const stack = `shoebox-users-${process.pid}`;
  const clients = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const { config, keysSecret, secrets, stored } = await deployedStack(clients, stack);

  const added = users(['add', 'anna', '--stack', stack], 'correct horse battery staple\n');
  assert.equal(added.status, 0, added.stderr);
  assert.match(added.stderr, new RegExp(`added anna in stack ${stack}; sign-in picks it up within five minutes`));
  const second = users(['add', 'ben', '--stack', stack], 'violet anchor pebble\n');
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(users(['list', '--stack', stack]).stdout.split('\n').filter(Boolean), ['anna', 'ben']);
  assert.match((await stored()).users, /^# Who may sign in\nanna:\$2y\$10\$.{53}\nben:\$2y\$10\$.{53}\n$/, 'comments kept, htpasswd lines');
  const key = (await secrets.send(new GetSecretValueCommand({ SecretId: keysSecret }))).SecretString;
  assert.equal(key, JSON.stringify(config), 'the secret with the key is untouched');

  let handler = await edge(stack);
  const ok = await handler(login('anna', 'correct horse battery staple'));
  assert.equal(ok.status, '303', JSON.stringify(ok));
  assert.ok(ok.headers['set-cookie'].some((c) => c.value.startsWith('CloudFront-Key-Pair-Id=K3STACKKEY0001;')));

  const removed = users(['remove', 'anna', '--stack', stack]);
  assert.equal(removed.status, 0, removed.stderr);
  assert.match(removed.stderr, /removed anna/);
  handler = await edge(stack); // after the edge's five-minute cache, as a fresh instance
  assert.equal((await handler(login('anna', 'correct horse battery staple'))).status, '401');
  assert.equal((await handler(login('ben', 'violet anchor pebble'))).status, '303');

  // Refusals: the same checks and messages as locally, and nothing is written.
  const before = await stored();
  const refusals = [
    [['add', 'a:b', '--stack', stack], 'password1\n', /a user name cannot contain ':'/],
    [['add', 'carol', '--stack', stack], 'short\n', /at least 8 characters/],
    [['add', 'carol', '--stack', stack], 'password1\n', /easy to guess/],
    [['add', 'carol', '--stack', stack, '--cost', '14'], 'long enough\n', /--cost must be 10 to 12/],
    [['remove', 'nobody', '--stack', stack], '', /no user nobody in stack/],
    [['list', '--stack', 'no-such-stack'], '', /cannot find the stack no-such-stack in us-east-1/],
  ];
  for (const [args, input, message] of refusals) {
    const r = users(args, input);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.deepEqual(await stored(), before);

  // A stack whose access object is not there yet (mid-deploy): no users, and the first add works.
  const fresh = `${stack}-fresh`;
  await deployedStack(clients, fresh, { users: null });
  const listed = users(['list', '--stack', fresh]);
  assert.equal(listed.status, 0, listed.stderr);
  assert.equal(listed.stdout, '');
  assert.equal(users(['add', 'dora', '--stack', fresh], 'explorer lantern quartz\n').status, 0);
  assert.deepEqual(users(['list', '--stack', fresh]).stdout.split('\n').filter(Boolean), ['dora']);
  assert.equal(users(['remove', 'dora', '--stack', fresh]).status, 0);
  assert.equal(users(['list', '--stack', fresh]).stdout, '');
});

test('share --stack and users --albums: links and limited users the edge honours, revocation included', async () => {
  assert.ok(endpoint && shoebox && existsSync(shoebox), 'moto and the shoebox binary come from ./scripts/test');
  const stack = `shoebox-share-${process.pid}`;
  const clients = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const gallery = { schema: 1, albums: { 'Family/Kids': { title: 'Kids', photo_count: 3, cover: null }, 'Trips/Rome 2024': { title: 'Rome', photo_count: 2, cover: null } } };
  const { stored } = await deployedStack(clients, stack, { gallery });

  // A person who sees one album (and what is inside it) only.
  const limited = users(['add', 'carol', '--albums', 'Family', '--stack', stack], 'grandma knits blue scarves\n');
  assert.equal(limited.status, 0, limited.stderr);
  assert.match(limited.stderr, /added carol, who sees only Family\/ in stack/);
  assert.match(users(['list', '--stack', stack]).stdout, /^carol\t\(only Family\/\)$/m);
  const refused = users(['add', 'dave', '--albums', 'Famly', '--stack', stack], 'password1\n');
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /no album "Famly"/);
  let handler = await edge(stack);
  const signedIn = await handler(login('carol', 'grandma knits blue scarves'));
  assert.equal(signedIn.status, '303');
  assert.equal(signedIn.headers.location[0].value, '/Family/', 'lands in the album she may see');
  assert.equal(resourceOf(signedIn), 'https://photos.example.com/Family/*');

  // A share link: printed with the stack's address, opened at the edge.
  const made = spawnSync(shoebox, ['share', 'Trips/Rome 2024', '--expires', '14d', '--note', 'for grandma', '--stack', stack], { env, encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const link = made.stdout.trim();
  assert.match(link, /^https:\/\/photos\.example\.com\/_auth\/share\?t=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  handler = await edge(stack);
  const opened = await handler(opening(link));
  assert.equal(opened.status, '303', JSON.stringify(opened));
  assert.equal(opened.headers.location[0].value, '/Trips/Rome%202024/');
  assert.equal(resourceOf(opened), 'https://photos.example.com/Trips/Rome%202024/*');
  const listed = spawnSync(shoebox, ['share', 'list', '--stack', stack], { env, encoding: 'utf8' }).stdout;
  const [id] = listed.trim().split('\t');
  assert.match(listed, /^[0-9a-f]{10}\tTrips\/Rome 2024\/\tuntil \d{4}-\d\d-\d\d \d\d:\d\d UTC\tfor grandma$/m);

  // Revoked: the edge refuses it with a page that says so (after its five-minute cache).
  const revoked = spawnSync(shoebox, ['share', 'revoke', id, '--stack', stack], { env, encoding: 'utf8' });
  assert.equal(revoked.status, 0, revoked.stderr);
  handler = await edge(stack);
  const gone = await handler(opening(link));
  assert.equal(gone.status, '410');
  assert.match(gone.body, /no longer works/);
  assert.doesNotMatch(gone.body, /<form/);
  assert.match(spawnSync(shoebox, ['share', 'list', '--stack', stack], { env, encoding: 'utf8' }).stdout, /\trevoked\t/);
  // "never" is not offered; an unknown album is named.
  const never = spawnSync(shoebox, ['share', 'Family', '--expires', 'never', '--stack', stack], { env, encoding: 'utf8' });
  assert.match(never.stderr, /share links always expire/);
  const { access } = await stored();
  assert.equal(access.shareSecret, Buffer.alloc(32, 3).toString('base64'), 'the stack\'s share secret was used');
  // The album only: its URL path and cookie policy are computed (shoebox_core::keys).
  assert.deepEqual(access.scopes, { carol: { album: 'Family' } });
});

test('edits made at the same moment on a stack all survive (conditional writes to the access object)', async () => {
  assert.ok(endpoint && shoebox && existsSync(shoebox), 'moto and the shoebox binary come from ./scripts/test');
  const stack = `shoebox-race-${process.pid}`;
  const clients = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const gallery = { schema: 1, albums: { Family: { title: 'Family', photo_count: 3, cover: null } } };
  const { stored } = await deployedStack(clients, stack, { gallery });
  const people = ['ada', 'bo', 'cy', 'di', 'ed', 'flo'];
  // Low bcrypt cost (it is not what is tested), so every command reads and writes at the same moment.
  const runs = await Promise.all([
    ...people.map((name) => started(['users', 'add', name, '--cost', '10', '--allow-weak', '--stack', stack], 'same moment pass\n')),
    ...[1, 2, 3].map((n) => started(['share', 'Family', '--note', `link ${n}`, '--stack', stack])),
  ]);
  for (const r of runs) assert.equal(r.status, 0, r.stderr);
  const { users: text, access } = await stored();
  const names = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':')[0]).sort();
  assert.deepEqual(names, people, 'every user added at once is there');
  assert.deepEqual(access.links.map((l) => l.note).sort(), ['link 1', 'link 2', 'link 3'], 'every link made at once is recorded');
  // Every printed link opens its album at the edge: each was signed with the secret it was stored beside.
  const handler = await edge(stack);
  for (const r of runs.slice(people.length)) {
    assert.equal((await handler(opening(r.stdout.trim()))).status, '303', r.stdout);
  }
});
