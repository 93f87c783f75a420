// The stack's custom resources (deploy/stack-helper) against moto's Secrets Manager and S3 (started
// by ./scripts/test, SHOEBOX_TEST_ENDPOINT), a local HTTP server standing in for CloudFormation's
// pre-signed response URL, and one standing in for the Lambda Invoke API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';
import {
  SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';

const endpoint = process.env.SHOEBOX_TEST_ENDPOINT;
assert.ok(endpoint, 'SHOEBOX_TEST_ENDPOINT (a moto server) is set by ./scripts/test');
Object.assign(process.env, {
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
});
const { handler, nextKeys, publicKeyOf, NO_USERS } = await import('../stack-helper/index.mjs');

const secrets = new SecretsManagerClient({});
const s3 = new S3Client({ forcePathStyle: true });
const run = `t${Date.now().toString(36)}`;

// CloudFormation's side: records every answer PUT to the response URL.
const answers = [];
let waiting = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    answers.push({ method: req.method, contentType: req.headers['content-type'], body: JSON.parse(body), raw: body });
    res.end();
    waiting.forEach((w) => w());
    waiting = [];
  });
});

// The Lambda Invoke API's side.
const invocations = [];
let invokeStatus = 202;
const lambdaApi = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    invocations.push({ path: req.url, type: req.headers['x-amz-invocation-type'], body });
    res.writeHead(invokeStatus, { 'content-type': 'application/json' });
    res.end(invokeStatus < 300 ? '' : '{"Type":"Service","message":"boom"}');
  });
});

const listen = (server) => new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));
let responseUrl;

before(async () => {
  responseUrl = `http://127.0.0.1:${await listen(receiver)}/cfn-response?X-Amz-Signature=abc`;
  process.env.AWS_ENDPOINT_URL_LAMBDA = `http://127.0.0.1:${await listen(lambdaApi)}`;
});
after(() => { receiver.close(); lambdaApi.close(); });

const context = { getRemainingTimeInMillis: () => 60_000 };

function event(requestType, resourceType, properties, extra = {}) {
  return {
    RequestType: requestType,
    ResourceType: resourceType,
    ResponseURL: responseUrl,
    StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${run}/0f1e2d3c-aaaa-bbbb-cccc-123456789012`,
    RequestId: `req-${Math.random().toString(36).slice(2)}`,
    LogicalResourceId: resourceType.replace('Custom::', ''),
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:helper', ...properties },
    ...extra,
  };
}

/** Runs the handler and returns the one answer it PUT. */
async function call(e, ctx = context) {
  const before = answers.length;
  await handler(e, ctx);
  assert.equal(answers.length, before + 1, 'exactly one answer per request');
  const a = answers.at(-1);
  assert.equal(a.method, 'PUT');
  assert.equal(a.contentType, '', 'the pre-signed URL was signed for an empty Content-Type');
  assert.equal(a.body.RequestId, e.RequestId);
  assert.equal(a.body.StackId, e.StackId);
  assert.equal(a.body.LogicalResourceId, e.LogicalResourceId);
  assert.ok(!a.raw.includes('PRIVATE KEY'), 'no private key in any answer');
  assert.ok(!String(a.body.PhysicalResourceId).includes('KEY'), 'no key in the physical id');
  return a.body;
}

async function secret(name, value) {
  const out = await secrets.send(new CreateSecretCommand({ Name: `${run}-${name}`, ...(value ? { SecretString: value } : {}) }));
  return out.ARN;
}

async function secretJson(arn) {
  return JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString);
}

/** A new access bucket; returns its name and a reader of its access object. */
async function accessBucket(name) {
  const bucket = `${run}-${name}`.toLowerCase();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const read = async () => JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'access.json' }))).Body.transformToString());
  return { bucket, read };
}

function signsFor(privatePem, publicPem) {
  const signature = createSign('RSA-SHA1').update('policy').sign(privatePem);
  return createVerify('RSA-SHA1').update('policy').verify(publicPem, signature);
}

test('key slots: create fills both, rotation replaces one, a jump by two replaces the active one', async () => {
  const keysSecret = await secret('edge-auth-keys');
  const { bucket, read } = await accessBucket('access');
  const keys = (generation) => event('Create', 'Custom::SigningKeys', { KeysSecret: keysSecret, Generation: String(generation), NamePrefix: run });
  const config = (answer) => event('Create', 'Custom::EdgeConfig', {
    KeysSecret: keysSecret, AccessBucket: bucket, AccessObject: 'access.json', KeyPairIds: ['KSLOT0', 'KSLOT1'], ActiveSlot: answer.Data.ActiveSlot, Title: 'Family',
  });

  const first = await call(keys(1));
  assert.equal(first.Status, 'SUCCESS', first.Reason);
  assert.equal(first.Data.ActiveSlot, '1');
  const stored = await secretJson(keysSecret);
  assert.equal(stored.generation, 1);
  for (const i of [0, 1]) {
    assert.match(first.Data[`PublicKey${i}`], /^-----BEGIN PUBLIC KEY-----\n/);
    assert.match(first.Data[`Name${i}`], new RegExp(`^${run}-slot${i}-[0-9a-f]{16}$`));
    assert.match(stored.slots[i], /^-----BEGIN PRIVATE KEY-----\n/);
    assert.equal(publicKeyOf(stored.slots[i]), first.Data[`PublicKey${i}`]);
  }
  assert.notEqual(first.Data.PublicKey0, first.Data.PublicKey1);

  // The sign-in configuration: the active slot's key under its CloudFront key id, where the access
  // object is; the access object gets a first value: no users, a share secret.
  const made = await call(config(first));
  assert.equal(made.Status, 'SUCCESS', made.Reason);
  let edge = await secretJson(keysSecret);
  assert.deepEqual(Object.keys(edge).sort(), ['accessBucket', 'accessObject', 'generation', 'keyPairId', 'privateKeyPem', 'slots', 'title'], 'no users beside the key');
  assert.equal(edge.keyPairId, 'KSLOT1');
  assert.ok(signsFor(edge.privateKeyPem, first.Data.PublicKey1));
  assert.deepEqual([edge.title, edge.accessBucket, edge.accessObject], ['Family', bucket, 'access.json']);
  const access = await read();
  assert.equal(access.users, NO_USERS);
  assert.ok(NO_USERS.split('\n').every((l) => l === '' || l.startsWith('#')), 'only a comment');
  assert.deepEqual(Object.keys(access.access), ['shareSecret'], 'a share secret, no links yet');
  assert.equal(Buffer.from(access.access.shareSecret, 'base64').length, 32);

  // Users added since (as `shoebox users add --stack` does) survive later deploys.
  const edited = { users: 'anna:$2y$10$abcdefghijklmnopqrstuu2Vn1M0G5xN8Q3cJr1TRXhGl2c9vV7fK\n', access: access.access };
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'access.json', Body: JSON.stringify(edited) }));

  // A retry of the same generation changes nothing.
  const replay = await call({ ...keys(1), RequestType: 'Update', PhysicalResourceId: first.PhysicalResourceId });
  assert.deepEqual(replay.Data, first.Data);
  assert.equal(replay.PhysicalResourceId, first.PhysicalResourceId, 'stable physical id');

  // Generation 2: slot 0 is new and active; slot 1 keeps its key (and so its CloudFront key id).
  const second = await call({ ...keys(2), RequestType: 'Update', PhysicalResourceId: first.PhysicalResourceId });
  assert.equal(second.Data.ActiveSlot, '0');
  assert.notEqual(second.Data.PublicKey0, first.Data.PublicKey0);
  assert.notEqual(second.Data.Name0, first.Data.Name0, 'a new key gets a new name (a new CloudFront public key)');
  assert.equal(second.Data.PublicKey1, first.Data.PublicKey1);
  assert.equal(second.Data.Name1, first.Data.Name1, 'the other slot is untouched, so its cookies stay valid');
  assert.equal((await secretJson(keysSecret)).keyPairId, 'KSLOT1', 'signing goes on with the old key until the key group trusts the new one');
  await call({ ...config(second), RequestType: 'Update', PhysicalResourceId: 'EdgeConfig-x' });
  edge = await secretJson(keysSecret);
  assert.equal(edge.keyPairId, 'KSLOT0');
  assert.ok(signsFor(edge.privateKeyPem, second.Data.PublicKey0));
  assert.deepEqual(await read(), edited, 'users and the share secret kept (old links keep working)');

  // Generation 4 (a jump by two): the active slot is replaced, so every older cookie stops working.
  const fourth = await call({ ...keys(4), RequestType: 'Update', PhysicalResourceId: first.PhysicalResourceId });
  assert.equal(fourth.Data.ActiveSlot, '0');
  assert.notEqual(fourth.Data.PublicKey0, second.Data.PublicKey0);
  assert.equal(fourth.Data.PublicKey1, first.Data.PublicKey1);
});

test('a stack from before the access bucket moves its keys, users and links over on the update', async () => {
  // What the former version kept in four secrets (the edge's own config secret is left alone: the
  // old edge version reads it until the distribution has moved on).
  const slots = [0, 1].map(() => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await secret('m-signing-keys', JSON.stringify({ generation: 3, slots }));
  const users = '# people\nanna:$2y$10$abcdefghijklmnopqrstuu2Vn1M0G5xN8Q3cJr1TRXhGl2c9vV7fK\n';
  await secret('m-edge-auth-users', users);
  const links = { shareSecret: Buffer.alloc(32, 7).toString('base64'), links: [{ id: 'abc', album: 'Family', expires: 4102444800, created: 1 }], scopes: { anna: { album: 'Family' } } };
  await secret('m-edge-auth-access', JSON.stringify(links));
  const keysSecret = await secret('m-edge-auth-keys');
  const { bucket, read } = await accessBucket('m-access');

  const keys = await call(event('Update', 'Custom::SigningKeys', {
    KeysSecret: keysSecret, FormerKeysSecret: `${run}-m-signing-keys`, Generation: '3', NamePrefix: run,
  }, { PhysicalResourceId: 'SigningKeys-m' }));
  assert.equal(keys.Status, 'SUCCESS', keys.Reason);
  assert.deepEqual((await secretJson(keysSecret)).slots, slots, 'the same keys: nobody is signed out, no new CloudFront keys');
  assert.equal(keys.Data.PublicKey0, publicKeyOf(slots[0]));
  const config = event('Update', 'Custom::EdgeConfig', {
    KeysSecret: keysSecret, AccessBucket: bucket, AccessObject: 'access.json', KeyPairIds: ['K0', 'K1'], ActiveSlot: keys.Data.ActiveSlot,
    FormerUsersSecret: `${run}-m-edge-auth-users`, FormerAccessSecret: `${run}-m-edge-auth-access`,
  }, { PhysicalResourceId: 'EdgeConfig-m' });
  assert.equal((await call(config)).Status, 'SUCCESS');
  assert.deepEqual(await read(), { users, access: links }, 'users, links and album limits kept as they were');

  // Once moved, the bucket is what counts: a later update neither reads the former secrets again
  // nor overwrites an edit (the former secrets are gone by then; here they would undo the edit).
  const edited = { users: '# nobody\n', access: links };
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'access.json', Body: JSON.stringify(edited) }));
  assert.equal((await call(config)).Status, 'SUCCESS');
  assert.deepEqual(await read(), edited);

  // A former secret that cannot be read as what it should hold fails the update, writing nothing.
  await secret('m-bad-access', 'not json');
  const empty = await accessBucket('m-empty');
  const broken = await call(event('Update', 'Custom::EdgeConfig', {
    KeysSecret: keysSecret, AccessBucket: empty.bucket, AccessObject: 'access.json', KeyPairIds: ['K0', 'K1'], ActiveSlot: '1',
    FormerUsersSecret: `${run}-m-edge-auth-users`, FormerAccessSecret: `${run}-m-bad-access`,
  }, { PhysicalResourceId: 'EdgeConfig-m2' }));
  assert.equal(broken.Status, 'FAILED', 'the former access secret does not hold access settings');
  assert.match(broken.Reason, /JSON/);
  await assert.rejects(empty.read(), /NoSuchKey|does not exist/, 'nothing written');
});

test('nextKeys is deterministic about which slot changes', () => {
  let n = 0;
  const make = () => `key${n++}`;
  const a = nextKeys(null, 1, make);
  assert.deepEqual(a, { generation: 1, slots: ['key0', 'key1'] });
  assert.deepEqual(nextKeys(a, 1, make), a);
  assert.deepEqual(nextKeys(a, 2, make), { generation: 2, slots: ['key2', 'key1'] });
  assert.deepEqual(nextKeys({ generation: 2, slots: ['key2', 'key1'] }, 3, make), { generation: 3, slots: ['key2', 'key3'] });
  assert.throws(() => nextKeys(a, 0, make), /Generation/);
  assert.throws(() => nextKeys(a, 1.5, make), /Generation/);
});

test('a failed Create answers FAILED with the reason, and its Delete still succeeds', async () => {
  const failed = await call(event('Create', 'Custom::SigningKeys', { Generation: '1', NamePrefix: run }));
  assert.equal(failed.Status, 'FAILED');
  assert.match(failed.Reason, /KeysSecret is missing/);
  assert.ok(failed.PhysicalResourceId, 'a physical id even on failure');
  const deleted = await call(event('Delete', 'Custom::SigningKeys', {}, { PhysicalResourceId: failed.PhysicalResourceId }));
  assert.equal(deleted.Status, 'SUCCESS');
  assert.equal(deleted.PhysicalResourceId, failed.PhysicalResourceId);

  const unknown = await call(event('Create', 'Custom::Nonsense', {}));
  assert.equal(unknown.Status, 'FAILED');
  assert.match(unknown.Reason, /unknown resource type Custom::Nonsense/);
  const badGeneration = await call(event('Create', 'Custom::SigningKeys', { KeysSecret: await secret('k2'), Generation: 'two', NamePrefix: run }));
  assert.equal(badGeneration.Status, 'FAILED');
  assert.match(badGeneration.Reason, /Generation must be a whole number/);
  const noKeys = await call(event('Create', 'Custom::EdgeConfig', {
    KeysSecret: await secret('empty-keys'), AccessBucket: 'no-bucket', AccessObject: 'access.json', KeyPairIds: ['A', 'B'], ActiveSlot: '0',
  }));
  assert.equal(noKeys.Status, 'FAILED');
  assert.match(noKeys.Reason, /no key in slot 0/);
});

test('a crash (the secrets service unreachable) still answers FAILED', async () => {
  const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = 'http://127.0.0.1:9'; // nothing listens there
  try {
    const answer = await call(event('Create', 'Custom::SigningKeys', { KeysSecret: 'arn:x', Generation: '1', NamePrefix: run }));
    assert.equal(answer.Status, 'FAILED');
    assert.match(answer.Reason, /Custom::SigningKeys Create failed/);
  } finally {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
  }
});

test('a hung dependency is answered FAILED before the function would time out', async () => {
  const sockets = new Set();
  const hang = createServer(() => {}); // accepts requests and never answers
  hang.on('connection', (s) => sockets.add(s));
  const port = await listen(hang);
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${port}`;
  const before = answers.length;
  const started = Date.now();
  const arrived = new Promise((r) => waiting.push(r));
  const pending = handler(
    event('Create', 'Custom::SigningKeys', { KeysSecret: 'arn:x', Generation: '1', NamePrefix: run }),
    { getRemainingTimeInMillis: () => 6_500 },
  );
  await arrived;
  delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  assert.equal(answers.length, before + 1);
  assert.equal(answers.at(-1).body.Status, 'FAILED');
  assert.match(answers.at(-1).body.Reason, /timed out/);
  assert.ok(Date.now() - started < 5_000, 'answered ahead of the deadline');
  sockets.forEach((s) => s.destroy());
  hang.close();
  await pending;
  assert.equal(answers.length, before + 1, 'the late failure does not answer twice');
});

test('site render asks the site builder for {"render":"all"} without waiting for it', async () => {
  const props = { FunctionName: 'stack-site-builder:live', Version: '7' };
  const ok = await call(event('Create', 'Custom::SiteRender', props));
  assert.equal(ok.Status, 'SUCCESS', ok.Reason);
  const inv = invocations.at(-1);
  assert.match(inv.path, /^\/2015-03-31\/functions\/stack-site-builder%3Alive\/invocations/);
  assert.equal(inv.type, 'Event');
  assert.deepEqual(JSON.parse(inv.body), { render: 'all' });
  invokeStatus = 500;
  try {
    const failed = await call(event('Update', 'Custom::SiteRender', props, { PhysicalResourceId: ok.PhysicalResourceId }));
    assert.equal(failed.Status, 'FAILED');
  } finally {
    invokeStatus = 202;
  }
  const count = invocations.length;
  assert.equal((await call(event('Delete', 'Custom::SiteRender', props, { PhysicalResourceId: ok.PhysicalResourceId }))).Status, 'SUCCESS');
  assert.equal(invocations.length, count, 'deleting renders nothing');
});

test('empty buckets: only on Delete, every page of keys, and a missing bucket is fine', async () => {
  const bucket = `${run}-web`.toLowerCase();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const keys = Array.from({ length: 1001 }, (_, i) => `Album ${i % 7}/_p/photo-${i}/640.jpg`);
  for (let i = 0; i < keys.length; i += 50) {
    await Promise.all(keys.slice(i, i + 50).map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }))));
  }
  const count = async () => (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount;
  const props = { Buckets: [bucket, `${run}-gone`.toLowerCase()] };
  assert.equal((await call(event('Create', 'Custom::EmptyBuckets', props))).Status, 'SUCCESS');
  assert.equal((await call(event('Update', 'Custom::EmptyBuckets', props, { PhysicalResourceId: 'EmptyBuckets-x' }))).Status, 'SUCCESS');
  assert.equal(await count(), 1000, 'create and update delete nothing (a listing page holds 1,000)');
  const deleted = await call(event('Delete', 'Custom::EmptyBuckets', props, { PhysicalResourceId: 'EmptyBuckets-x' }));
  assert.equal(deleted.Status, 'SUCCESS', deleted.Reason);
  assert.match(deleted.Reason, /1001 objects/);
  assert.equal(await count(), 0);
});
