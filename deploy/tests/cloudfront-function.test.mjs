// The distribution's CloudFront Function, taken from template.yaml as deployed, run in Node on
// CloudFront viewer-request events: it must rewrite paths exactly as path-rewrites.json says
// (the local gate is held to the same table by a Rust test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';

const root = new URL('../../', import.meta.url);
const template = parseDocument(await readFile(new URL('template.yaml', root), 'utf8')).toJS();
const resource = template.Resources.PathRewriteFunction;
const code = resource.Properties.FunctionCode;
const handler = new Function(`${code}\nreturn handler;`)();
const { cases } = JSON.parse(await readFile(new URL('deploy/tests/path-rewrites.json', root), 'utf8'));

// A viewer-request event as CloudFront Functions receive it (runtime 2.0).
function event(uri) {
  return {
    version: '1.0',
    context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', eventType: 'viewer-request' },
    viewer: { ip: '198.51.100.11' },
    request: {
      method: 'GET',
      uri,
      querystring: { v: { value: '1' } },
      headers: { host: { value: 'photos.example.com' } },
      cookies: { 'CloudFront-Policy': { value: 'abc' } },
    },
  };
}

test('the function is a cloudfront-js-2.0 viewer-request handler', () => {
  assert.equal(resource.Type, 'AWS::CloudFront::Function');
  assert.equal(resource.Properties.FunctionConfig.Runtime, 'cloudfront-js-2.0');
  assert.equal(resource.Properties.AutoPublish, true);
  assert.equal(typeof handler, 'function');
  // CloudFront Functions cap code at 10 KB.
  assert.ok(Buffer.byteLength(code) < 10 * 1024);
});

test('rewrites every path in the table and keeps the rest of the request', () => {
  assert.ok(cases.length >= 10);
  for (const { uri, to } of cases) {
    const out = handler(event(uri));
    assert.equal(out.uri, to, uri);
    assert.equal(out.method, 'GET');
    assert.deepEqual(out.querystring, { v: { value: '1' } }, 'query kept');
    assert.deepEqual(out.cookies, { 'CloudFront-Policy': { value: 'abc' } }, 'cookies kept for the signed check');
    assert.equal(out.headers.host.value, 'photos.example.com');
  }
});
