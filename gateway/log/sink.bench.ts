// Micro benchmark of the access-log writers (not a test): what one line costs the request thread, and how
// long until every line is on disk, for sonic-boom (pino.destination, async, in this thread) against pino.transport
// ('pino/file' in a worker thread, written raw through its ThreadStream). docs/decisions.md quotes it.
// Run: node dist/gateway/log/sink.bench.js [lines]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';

interface Writer {
  write(line: string): unknown;
  end(): void;
  once(event: string, cb: () => void): unknown;
}

const LINES = Number(process.argv[2] ?? 200_000);
const BURST = 100; // lines written per turn of the event loop, as a busy listener would
const LINE =
  '[2026-11-26T12:00:00.000Z] "GET /api/items/42?x=1 HTTP/1.1" 200 - via_upstream 0 1234 3 "10.0.0.7" ' +
  '"curl/8.5.0" "4bf92f3577b34da6a3ce929d0e0e4736" "api.example.com" "127.0.0.1:9001" 0af7651916cd43dd8448eb211c80319c\n';

async function run(name: string, make: (file: string) => Writer, doneEvent = 'close'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-sink-bench-'));
  const file = join(dir, 'access.log');
  try {
    const w = make(file);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let inWrite = 0;
    for (let sent = 0; sent < LINES; ) {
      const a = performance.now();
      for (let i = 0; i < BURST && sent < LINES; i++, sent++) w.write(LINE);
      inWrite += performance.now() - a;
      await new Promise<void>((r) => setImmediate(r));
    }
    const closed = new Promise<void>((r) => w.once(doneEvent, r));
    w.end();
    await closed;
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const bytes = statSync(file).size;
    console.log(
      `${name.padEnd(34)} ${((inWrite * 1e6) / LINES).toFixed(0).padStart(5)} ns/line in write()  ` +
        `${wall.toFixed(0).padStart(5)} ms until closed  ${((cpu.user + cpu.system) / 1000).toFixed(0).padStart(5)} ms CPU (all threads)  ` +
        `${bytes === LINES * LINE.length ? 'all lines' : `LOST ${LINES * LINE.length - bytes} bytes`}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await run('sonic-boom async (minLength 0)', (f) => pino.destination({ dest: f, sync: false, mkdir: true }));
await run('sonic-boom async (minLength 4096)', (f) => pino.destination({ dest: f, sync: false, mkdir: true, minLength: 4096 }));
await run(
  'pino.transport pino/file (worker)',
  (f) => pino.transport({ target: 'pino/file', options: { destination: f, mkdir: true } }) as unknown as Writer,
  'finish', // a ThreadStream says 'finish' once the worker has written everything; it emits no 'close'
);
