// One autocannon run against the gate with the login's cookies; prints one JSON line.
//   node scripts/bench/gate.mjs URL COOKIE DURATION
import autocannon from 'autocannon';

const [url, cookie, duration] = process.argv.slice(2);
const result = await autocannon({ url, connections: 64, pipelining: 1, duration: Number(duration), headers: { cookie } });
console.log(JSON.stringify({
  path: new URL(url).pathname,
  requests_per_s: Math.round(result.requests.average),
  latency_ms: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  non_2xx: result.non2xx,
  errors: result.errors,
  mb_per_s: Math.round(result.throughput.average / 1e5) / 10,
}));
