// Edge benchmark: cold start (load + instantiate + configure) and warm login latency in Node,
// at bcrypt costs 10 to 13. Prints one JSON object. Run by ./scripts/bench-edge (which may limit
// the CPU share, as Lambda does by memory size).
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';

const runs = Number(process.argv[2] ?? 20);
const dist = new URL('../dist/', import.meta.url);
const fixture = JSON.parse(readFileSync(new URL('../tests/fixtures/login-form-ok.json', import.meta.url), 'utf8'));
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const work = mkdtempSync(join(tmpdir(), 'shoebox-edge-bench-'));
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
let v = 0;

for (const cost of [10, 11, 12, 13]) {
  const file = join(work, `config-${cost}.json`);
  writeFileSync(file, JSON.stringify({
    keyPairId: 'K2JCJMDEHXQW5F',
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }),
    htpasswd: `alice:${bcrypt.hashSync('wonderland', cost)}`,
  }));
  process.env.SHOEBOX_EDGE_CONFIG_FILE = file;
  const colds = [];
  let handler;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    ({ handler } = await import(`${new URL('index.mjs', dist).href}?v=${++v}`));
    const page = await handler({ Records: [{ cf: { request: { method: 'GET', uri: '/_auth/login', querystring: '', headers: {} } } }] });
    colds.push(performance.now() - t);
    if (page.status !== '200') throw new Error(`login page: ${page.status}`);
  }
  const warm = [];
  for (let i = 0; i < (cost > 11 ? Math.min(runs, 5) : runs); i++) {
    const t = performance.now();
    const r = await handler(fixture);
    warm.push(performance.now() - t);
    if (r.status !== '303') throw new Error(`login: ${r.status}`);
  }
  results[`cost_${cost}`] = { cold_start_ms: median(colds), warm_login_ms: median(warm), warm_login_max_ms: Math.max(...warm) };
}
console.log(JSON.stringify({ node: process.version, runs, ...results }));
