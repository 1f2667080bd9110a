// Waits, for a bounded time, until a freshly started contender serves the upstream's answer:
// accepting connections is not enough, a proxy that answers 502 would be measured as fast.
import { request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Child } from './processes.js';

const POLL_INTERVAL_MS = 100;
const PROBE_TIMEOUT_MS = 1000;

/** Status and body length of one GET, or the error message. */
function probe(url: string, headers: Record<string, string>): Promise<{ status: number; bytes: number } | string> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers, timeout: PROBE_TIMEOUT_MS }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', (err) => resolve(err.message));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', (err) => resolve(err.message));
    req.end();
  });
}

/** `headers` are those the load will send (a token, say): a contender that refuses them never counts as serving. */
export async function waitUntilServing(
  child: Child,
  url: string,
  headers: Record<string, string>,
  expectedBytes: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not tried';
  while (Date.now() < deadline) {
    const status = child.exitStatus();
    if (status !== null) {
      throw new Error(`${child.name} exited (${status}) before serving ${url}:\n${child.outputTail()}`);
    }
    const answer = await probe(url, headers);
    if (typeof answer !== 'string' && answer.status === 200 && answer.bytes === expectedBytes) return;
    last = typeof answer === 'string' ? answer : `status ${answer.status}, ${answer.bytes} body bytes`;
    await delay(POLL_INTERVAL_MS);
  }
  throw new Error(
    `${child.name} did not serve ${url} within ${timeoutMs} ms (last try: ${last}; expected status 200 with ` +
      `${expectedBytes} body bytes)\n${child.outputTail()}`,
  );
}
