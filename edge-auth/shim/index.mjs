// Lambda@Edge origin-request handler for /_auth/login, /_auth/logout and /_auth/share (uncached
// behaviours, so every request reaches it with its body).
// All logic lives in Rust (edge_auth.wasm); this shim only loads it, fetches the configuration,
// and passes in the event, the time and random bytes.
//
// Configuration: Lambda@Edge has no environment variables, so the shim finds it by its own name.
// The secret "<function name>-keys" (Secrets Manager, us-east-1; the function name as the replica
// runs it, without its "us-east-1." prefix) holds the signing key, its CloudFront key id and the
// title (written by the stack), and names the access object: a private S3 object with the users
// (htpasswd lines), the share secret, revoked links and album limits (written by `shoebox
// users|share --stack`, which so never read the key). Both are cached for five minutes, so
// changes take effect without a redeploy.
// Locally and in tests the file named by SHOEBOX_EDGE_CONFIG_FILE (users included) is used instead.
import { readFile } from 'node:fs/promises';
import { randomFillSync } from 'node:crypto';

const CONFIG_TTL_MS = 5 * 60 * 1000;
const wasmBytes = await readFile(new URL('./edge_auth.wasm', import.meta.url));
const { instance } = await WebAssembly.instantiate(wasmBytes, {});
const wasm = instance.exports;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let loaded = { text: null, at: 0 };
let secrets;
let s3;

function copyIn(bytes) {
  const ptr = wasm.shoebox_alloc(bytes.length);
  new Uint8Array(wasm.memory.buffer, ptr, bytes.length).set(bytes);
  return ptr;
}

function takeResult(packed) {
  const ptr = Number(packed >> 32n);
  const len = Number(packed & 0xffffffffn);
  const json = decoder.decode(new Uint8Array(wasm.memory.buffer, ptr, len));
  wasm.shoebox_free(ptr, len);
  return JSON.parse(json);
}

function call(name, text, ...rest) {
  const bytes = encoder.encode(text);
  const ptr = copyIn(bytes);
  try {
    return takeResult(wasm[name](ptr, bytes.length, ...rest));
  } finally {
    wasm.shoebox_free(ptr, bytes.length);
  }
}

/** The Secrets Manager name holding this function's keys ("<function name>-keys"). */
export function secretIdFor(functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? '', part = 'keys') {
  return `${functionName.replace(/^[a-z]{2}(-[a-z]+)+-\d+\./, '')}-${part}`;
}

/** The access object's users and access settings; none (nobody, nothing shared) when it is missing. */
async function fetchAccess(bucket, key) {
  const sdk = await import('@aws-sdk/client-s3');
  s3 ??= new sdk.S3Client({ region: 'us-east-1', forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) });
  try {
    const out = await s3.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await out.Body.transformToString());
  } catch (e) {
    if (e?.name === 'NoSuchKey') return {};
    throw e;
  }
}

async function fetchConfig() {
  if (process.env.SHOEBOX_EDGE_CONFIG_FILE) {
    return readFile(process.env.SHOEBOX_EDGE_CONFIG_FILE, 'utf8');
  }
  // The Node.js runtime ships the AWS SDK v3; it is not in the bundle.
  const sdk = await import('@aws-sdk/client-secrets-manager');
  secrets ??= new sdk.SecretsManagerClient({ region: 'us-east-1' });
  const out = await secrets.send(new sdk.GetSecretValueCommand({ SecretId: secretIdFor() }));
  // The secret also keeps both key slots for the stack helper; the edge signs with the active one.
  const { keyPairId, privateKeyPem, title, accessBucket, accessObject } = JSON.parse(out.SecretString);
  const { users, access } = await fetchAccess(accessBucket, accessObject);
  const { shareSecret, revokedLinks, scopes } = access ?? {};
  return JSON.stringify({
    keyPairId,
    privateKeyPem,
    ...(title ? { title } : {}),
    htpasswd: users ?? '',
    ...(shareSecret ? { shareSecret } : {}),
    revokedLinks: revokedLinks ?? [],
    scopes: scopes ?? {},
  });
}

async function ensureConfig() {
  if (loaded.text !== null && Date.now() - loaded.at < CONFIG_TTL_MS) return;
  let text;
  try {
    text = await fetchConfig();
  } catch (e) {
    if (loaded.text !== null) {
      console.warn(JSON.stringify({ msg: 'config refresh failed; keeping the previous one', error: String(e) }));
      loaded.at = Date.now();
      return;
    }
    throw e;
  }
  if (text !== loaded.text) {
    const out = call('shoebox_init', text);
    if (out.error) throw new Error(`configuration rejected: ${out.error}`);
    console.log(JSON.stringify({ msg: 'configuration loaded', users: out.users }));
  }
  loaded = { text, at: Date.now() };
}

function plain(status, description, message) {
  return {
    status: String(status),
    statusDescription: description,
    headers: {
      'content-type': [{ key: 'Content-Type', value: 'text/plain; charset=utf-8' }],
      'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
    },
    body: `${message}\n`,
  };
}

export const handler = async (event) => {
  try {
    await ensureConfig();
  } catch (e) {
    console.error(JSON.stringify({ msg: 'no usable configuration', error: String(e) }));
    return plain(503, 'Service Unavailable', 'Sign-in is not available right now.');
  }
  const seed = copyIn(randomFillSync(new Uint8Array(32)));
  try {
    const out = call('shoebox_handle', JSON.stringify(event), Date.now() / 1000, seed);
    if (out.error) {
      console.error(JSON.stringify({ msg: 'edge-auth failed', error: out.error }));
      return plain(500, 'Internal Server Error', 'Sign-in failed.');
    }
    console.log(JSON.stringify({ msg: out.log }));
    return out.response;
  } finally {
    wasm.shoebox_free(seed, 32);
  }
};
