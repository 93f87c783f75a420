// Polling for the browser and serve tests: waits until `check` holds, or fails naming `what`.
import assert from 'node:assert/strict';

export async function until(what, check, seconds = 60) {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`timed out waiting for ${what}`);
}
