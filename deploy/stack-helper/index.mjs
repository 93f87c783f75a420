// The stack's custom resources (CloudFormation's protocol: every request gets exactly one answer,
// PUT to its pre-signed ResponseURL, on success, on failure and when the function is about to time
// out):
//
// - Custom::SigningKeys: two RSA-2048 key slots kept in the keys secret; generation N regenerates
//   slot N mod 2. Returns only public halves (PEM), their names and the active slot.
// - Custom::EdgeConfig: writes the active slot's private key and its CloudFront key id into the
//   sign-in configuration secret edge-auth reads, and gives the users secret a first value (a
//   comment) and the access secret one (a new share secret) when they have none; it never
//   changes users, links or album limits.
// - Custom::SiteRender: asks the site builder to re-render every page ({"render":"all"}),
//   asynchronously; on the first deploy that makes the welcome page.
// - Custom::EmptyBuckets: on Delete, deletes every object in the derived buckets (resized, web)
//   so CloudFormation can delete them; a bucket that is already gone counts as empty.
//
// Private keys never appear in a response, a physical id or a log line. Deleting the other
// resources changes nothing (the secrets are stack resources of their own), so Delete always
// succeeds, also after a failed Create.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { request as plainRequest } from 'node:http';

const SLOTS = 2;

/** Makes an RSA-2048 private key, PEM (PKCS#8). */
export function newPrivateKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' });
}

/** The public half of a private key, PEM (SubjectPublicKeyInfo), as CloudFront takes it. */
export function publicKeyOf(privatePem) {
  return createPublicKey(privatePem).export({ type: 'spki', format: 'pem' });
}

/** A CloudFront public key name that changes exactly when the key does. */
export function keyName(prefix, slot, publicPem) {
  const fingerprint = createHash('sha256').update(publicPem).digest('hex').slice(0, 16);
  const safe = String(prefix).replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
  return `${safe}-slot${slot}-${fingerprint}`;
}

/**
 * The key slots after applying `generation` to the stored state: both slots filled, and when the
 * generation moved on, slot (generation mod 2) replaced. Pure apart from key generation.
 */
export function nextKeys(stored, generation, makeKey = newPrivateKey) {
  if (!Number.isInteger(generation) || generation < 1) {
    throw new Error(`Generation must be a whole number from 1, not ${JSON.stringify(generation)}`);
  }
  const slots = Array.from({ length: SLOTS }, (_, i) => stored?.slots?.[i] ?? null);
  const active = generation % SLOTS;
  const fresh = slots.map((pem) => !pem);
  for (let i = 0; i < SLOTS; i++) if (!slots[i]) slots[i] = makeKey();
  if (stored?.generation !== undefined && stored.generation !== generation && !fresh[active]) {
    slots[active] = makeKey();
  }
  return { generation, slots };
}

function props(event) {
  return event.ResourceProperties ?? {};
}

function required(event, name) {
  const value = props(event)[name];
  if (value === undefined || value === null || value === '') {
    throw new Error(`property ${name} is missing`);
  }
  return value;
}

async function secrets() {
  // The Lambda Node.js runtime ships the AWS SDK v3; tests install the same package.
  const sdk = await import('@aws-sdk/client-secrets-manager');
  return { sdk, client: new sdk.SecretsManagerClient({}) };
}

/** A secret's JSON value, or `null` when it has none yet. */
export async function readJson(secretId) {
  const { sdk, client } = await secrets();
  try {
    const out = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
    return out.SecretString ? JSON.parse(out.SecretString) : null;
  } catch (e) {
    // A secret created without a value has no AWSCURRENT version yet.
    if (e?.name === 'ResourceNotFoundException' && /version|AWSCURRENT/i.test(String(e.message))) return null;
    throw e;
  }
}

async function writeJson(secretId, value) {
  const { sdk, client } = await secrets();
  await client.send(new sdk.PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(value) }));
}

async function signingKeys(event) {
  const secretId = required(event, 'KeysSecret');
  const generation = Number(required(event, 'Generation'));
  const prefix = required(event, 'NamePrefix');
  const stored = await readJson(secretId);
  const next = nextKeys(stored, generation);
  if (JSON.stringify(next) !== JSON.stringify(stored)) await writeJson(secretId, next);
  const data = { ActiveSlot: String(generation % SLOTS) };
  next.slots.forEach((pem, i) => {
    const publicPem = publicKeyOf(pem);
    data[`PublicKey${i}`] = publicPem;
    data[`Name${i}`] = keyName(prefix, i, publicPem);
  });
  return { data, log: `key slots ready, generation ${generation}, active slot ${data.ActiveSlot}` };
}

/** What a new users secret holds: no users yet, and how to add one. */
export const NO_USERS = '# Who may sign in: htpasswd lines (bcrypt). Add people with `shoebox users add NAME --stack STACK`.\n';

async function hasValue(secretId) {
  const { sdk, client } = await secrets();
  try {
    await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
    return true;
  } catch (e) {
    if (e?.name === 'ResourceNotFoundException' && /version|AWSCURRENT/i.test(String(e.message))) return false;
    throw e;
  }
}

async function edgeConfig(event) {
  const keysSecret = required(event, 'KeysSecret');
  const configSecret = required(event, 'ConfigSecret');
  const usersSecret = required(event, 'UsersSecret');
  const accessSecret = required(event, 'AccessSecret');
  const ids = required(event, 'KeyPairIds');
  const slot = Number(required(event, 'ActiveSlot'));
  if (!Array.isArray(ids) || ids.length !== SLOTS || !ids[slot]) {
    throw new Error(`KeyPairIds must list ${SLOTS} key ids and ActiveSlot pick one`);
  }
  const keys = await readJson(keysSecret);
  const privateKeyPem = keys?.slots?.[slot];
  if (!privateKeyPem) throw new Error(`the keys secret has no key in slot ${slot}`);
  const current = (await readJson(configSecret)) ?? {};
  const next = {
    ...current,
    keyPairId: ids[slot],
    privateKeyPem,
    title: props(event).Title ?? current.title ?? 'Shoebox',
  };
  if (JSON.stringify(next) !== JSON.stringify(current)) await writeJson(configSecret, next);
  let users = 'kept';
  if (!(await hasValue(usersSecret))) {
    const { sdk, client } = await secrets();
    await client.send(new sdk.PutSecretValueCommand({ SecretId: usersSecret, SecretString: NO_USERS }));
    users = 'none yet';
  }
  let sharing = 'kept';
  if (!(await hasValue(accessSecret))) {
    await writeJson(accessSecret, { shareSecret: randomBytes(32).toString('base64') });
    sharing = 'new share secret';
  }
  return { data: { KeyPairId: ids[slot] }, log: `sign-in configuration uses key ${ids[slot]}; users ${users}; sharing ${sharing}` };
}

async function siteRender(event) {
  const functionName = required(event, 'FunctionName');
  const sdk = await import('@aws-sdk/client-lambda');
  const client = new sdk.LambdaClient({});
  const out = await client.send(new sdk.InvokeCommand({
    FunctionName: functionName,
    InvocationType: 'Event',
    Payload: new TextEncoder().encode(JSON.stringify({ render: 'all' })),
  }));
  if (out.StatusCode !== 202) throw new Error(`the site builder did not accept the render (status ${out.StatusCode})`);
  return { data: {}, log: `asked ${functionName} to render every page` };
}

/** Deletes every object of `bucket`, 1,000 keys a request; returns how many. */
export async function emptyBucket(bucket) {
  const sdk = await import('@aws-sdk/client-s3');
  const client = new sdk.S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) });
  let deleted = 0;
  for (;;) {
    let page;
    try {
      page = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
    } catch (e) {
      if (e?.name === 'NoSuchBucket') return deleted;
      throw e;
    }
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
    if (keys.length === 0) return deleted;
    const out = await client.send(new sdk.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    if (out.Errors?.length) {
      const first = out.Errors[0];
      throw new Error(`s3://${bucket}/${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim());
    }
    deleted += keys.length;
  }
}

async function emptyBuckets(event) {
  const buckets = required(event, 'Buckets');
  if (!Array.isArray(buckets)) throw new Error('Buckets must be a list of bucket names');
  const counts = [];
  for (const bucket of buckets) counts.push(`${bucket}: ${await emptyBucket(bucket)} objects`);
  return { data: {}, log: `emptied ${counts.join(', ')}` };
}

const HANDLERS = {
  'Custom::SigningKeys': signingKeys,
  'Custom::EdgeConfig': edgeConfig,
  'Custom::SiteRender': siteRender,
};

/** PUTs the answer to CloudFormation's pre-signed URL (an empty Content-Type, as it was signed). */
export function respond(event, answer) {
  const body = JSON.stringify({
    Status: answer.status,
    Reason: String(answer.reason ?? answer.status).slice(0, 1000),
    PhysicalResourceId: answer.physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: answer.data ?? {},
  });
  const url = new URL(event.ResponseURL);
  const send = url.protocol === 'http:' ? plainRequest : request;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`response PUT answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function log(fields) {
  console.log(JSON.stringify(fields));
}

export async function handler(event, context) {
  // Stable per resource, never derived from a key.
  const physicalId = event.PhysicalResourceId ?? `${event.LogicalResourceId}-${String(event.StackId ?? '').split('/').pop()}`;
  const base = { type: event.ResourceType, request: event.RequestType, resource: event.LogicalResourceId };
  let answered = false;
  const answer = async (a) => {
    if (answered) return;
    answered = true;
    await respond(event, { physicalId, ...a });
  };
  // Answer FAILED before Lambda stops this invocation, so the stack never waits for an hour.
  const remaining = context?.getRemainingTimeInMillis?.() ?? 60_000;
  const timer = setTimeout(() => {
    log({ ...base, msg: 'about to time out' });
    answer({ status: 'FAILED', reason: 'the stack helper timed out' }).catch(() => {});
  }, Math.max(remaining - 5_000, 1_000));
  try {
    if (event.RequestType === 'Delete' && event.ResourceType === 'Custom::EmptyBuckets') {
      const { log: line } = await emptyBuckets(event);
      log({ ...base, msg: line });
      await answer({ status: 'SUCCESS', reason: line });
      return;
    }
    if (event.RequestType === 'Delete' || event.ResourceType === 'Custom::EmptyBuckets') {
      log({ ...base, msg: 'nothing to do' });
      await answer({ status: 'SUCCESS', reason: 'nothing to do' });
      return;
    }
    const run = HANDLERS[event.ResourceType];
    if (!run) throw new Error(`unknown resource type ${event.ResourceType}`);
    const { data, log: line } = await run(event);
    log({ ...base, msg: line });
    await answer({ status: 'SUCCESS', data });
  } catch (e) {
    // The message names what failed; nothing in it comes from a key.
    const reason = `${event.ResourceType} ${event.RequestType} failed: ${e?.message ?? e}`;
    log({ ...base, msg: reason });
    await answer({ status: 'FAILED', reason }).catch((sendError) => log({ ...base, msg: `could not answer: ${sendError}` }));
  } finally {
    clearTimeout(timer);
  }
}
