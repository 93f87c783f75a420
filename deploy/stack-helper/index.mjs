// The stack's custom resources (CloudFormation's protocol: every request gets exactly one answer,
// PUT to its pre-signed ResponseURL, on success, on failure and when the function is about to time
// out):
//
// - Custom::SigningKeys: two RSA-2048 key slots kept in the keys secret; generation N regenerates
//   slot N mod 2. Returns only public halves (PEM), their names and the active slot.
// - Custom::EdgeConfig: writes the active slot's CloudFront key id, its private key, the title and
//   where the access object is into the keys secret edge-auth reads, and makes the access object
//   (no users, a new share secret) when there is none; it never changes users, links or limits.
// - Custom::SiteRender: asks the site builder to re-render every page ({"render":"all"}),
//   asynchronously; on the first deploy that makes the welcome page.
// - Custom::EmptyBuckets: on Delete, deletes every object in the derived buckets (resized, web)
//   and the access bucket so CloudFormation can delete them; a bucket already gone counts as empty.
//
// Stacks deployed before the access bucket kept the key slots, users and links in secrets of their
// own (Former* properties): the first update copies them over, so nobody is signed out and every
// user and link is kept; CloudFormation then deletes those secrets.
//
// Private keys never appear in a response, a physical id or a log line. Deleting the other
// resources changes nothing (the secret and bucket are stack resources of their own), so Delete
// always succeeds, also after a failed Create.
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

async function s3() {
  const sdk = await import('@aws-sdk/client-s3');
  return { sdk, client: new sdk.S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) }) };
}

/** A secret's text, or `null` when it has none yet. */
async function readText(secretId) {
  const { sdk, client } = await secrets();
  try {
    const out = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
    return out.SecretString ?? null;
  } catch (e) {
    // A secret created without a value has no AWSCURRENT version yet.
    if (e?.name === 'ResourceNotFoundException' && /version|AWSCURRENT/i.test(String(e.message))) return null;
    throw e;
  }
}

/** A secret's JSON value, or `null` when it has none yet. */
export async function readJson(secretId) {
  const text = await readText(secretId);
  return text ? JSON.parse(text) : null;
}

async function writeJson(secretId, value) {
  const { sdk, client } = await secrets();
  await client.send(new sdk.PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(value) }));
}

/**
 * The text of a secret a former version of the stack made, by its name; `null` when there is no
 * such secret (a stack made with this version) or it has no value. Listed first, so that a secret
 * that exists but cannot be read fails the update instead of passing for absent.
 */
export async function formerText(name) {
  if (!name) return null;
  const { sdk, client } = await secrets();
  let token;
  do {
    const page = await client.send(new sdk.ListSecretsCommand({
      Filters: [{ Key: 'name', Values: [name] }], NextToken: token,
    }));
    if ((page.SecretList ?? []).some((s) => s.Name === name)) return readText(name);
    token = page.NextToken;
  } while (token);
  return null;
}

async function signingKeys(event) {
  const secretId = required(event, 'KeysSecret');
  const generation = Number(required(event, 'Generation'));
  const prefix = required(event, 'NamePrefix');
  const current = (await readJson(secretId)) ?? {};
  let stored = current.slots ? { generation: current.generation, slots: current.slots } : null;
  let moved = '';
  if (!stored) {
    const former = await formerText(props(event).FormerKeysSecret);
    if (former) {
      stored = JSON.parse(former);
      moved = ', moved from the former keys secret';
    }
  }
  const next = nextKeys(stored, generation);
  if (JSON.stringify(next.slots) !== JSON.stringify(current.slots) || next.generation !== current.generation) {
    await writeJson(secretId, { ...current, ...next });
  }
  const data = { ActiveSlot: String(generation % SLOTS) };
  next.slots.forEach((pem, i) => {
    const publicPem = publicKeyOf(pem);
    data[`PublicKey${i}`] = publicPem;
    data[`Name${i}`] = keyName(prefix, i, publicPem);
  });
  return { data, log: `key slots ready, generation ${generation}, active slot ${data.ActiveSlot}${moved}` };
}

/** What a new gallery's users are: nobody yet, and how to add someone. */
export const NO_USERS = '# Who may sign in: htpasswd lines (bcrypt). Add people with `shoebox users add NAME --stack STACK`.\n';

/** The access object of a new stack, or of one that kept users and links in former secrets. */
export function firstAccess(formerUsers, formerAccess) {
  let access = {};
  try {
    if (formerAccess) access = JSON.parse(formerAccess);
  } catch (e) {
    throw new Error(`the former access secret does not hold JSON (${e.message}); nothing was moved`);
  }
  access.shareSecret ??= randomBytes(32).toString('base64');
  return { users: formerUsers ?? NO_USERS, access };
}

/** Whether `key` exists in `bucket`. */
async function exists(bucket, key) {
  const { sdk, client } = await s3();
  try {
    await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    if (e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404) return false;
    throw e;
  }
}

async function edgeConfig(event) {
  const keysSecret = required(event, 'KeysSecret');
  const bucket = required(event, 'AccessBucket');
  const key = required(event, 'AccessObject');
  const ids = required(event, 'KeyPairIds');
  const slot = Number(required(event, 'ActiveSlot'));
  if (!Array.isArray(ids) || ids.length !== SLOTS || !ids[slot]) {
    throw new Error(`KeyPairIds must list ${SLOTS} key ids and ActiveSlot pick one`);
  }
  const current = (await readJson(keysSecret)) ?? {};
  const privateKeyPem = current.slots?.[slot];
  if (!privateKeyPem) throw new Error(`the keys secret has no key in slot ${slot}`);
  const next = {
    ...current,
    keyPairId: ids[slot],
    privateKeyPem,
    title: props(event).Title ?? current.title ?? 'Shoebox',
    accessBucket: bucket,
    accessObject: key,
  };
  if (JSON.stringify(next) !== JSON.stringify(current)) await writeJson(keysSecret, next);
  let access = 'kept';
  if (!(await exists(bucket, key))) {
    const [users, links] = await Promise.all([
      formerText(props(event).FormerUsersSecret),
      formerText(props(event).FormerAccessSecret),
    ]);
    const { sdk, client } = await s3();
    try {
      // Only if still absent: an edit made meanwhile by `shoebox users|share` wins.
      await client.send(new sdk.PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(firstAccess(users, links), null, 2),
        ContentType: 'application/json',
        IfNoneMatch: '*',
      }));
      access = users || links ? 'moved from the former secrets' : 'new (nobody yet, a new share secret)';
    } catch (e) {
      if (e?.$metadata?.httpStatusCode !== 412) throw e;
    }
  }
  return { data: { KeyPairId: ids[slot] }, log: `sign-in configuration uses key ${ids[slot]}; access ${access}` };
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
