// Ticks, shared data with CAS, shared queues and metrics. Configuration: the tick period in ms.
// on_tick increments the shared key "ticks" (get + set with cas, retried on CAS_MISMATCH) and continues
// the streams waiting for a tick. Requests: counter "requests_total" +1, the path is enqueued on queue
// "events" (on_queue_ready drains it into counter "events_seen"), x-ticks: <ticks> is added to the request;
// x-wait-tick: pause until the next tick; x-cas-test: adds x-cas: "<set with the current cas>,<set with a wrong
// cas>,<set with the current cas again>" (statuses: "0,8,0").
export { allocate as proxy_on_memory_allocate } from "./abi";
import {
  REQUEST_HEADERS, PLUGIN_CONFIGURATION, getBuffer, getHeader, addHeader, setTickPeriod, getShared, setShared, lastCas,
  registerQueue, enqueue, dequeue, defineCounter, incrementMetric, setEffectiveContext, continueRequest,
} from "./abi";

let queue: u32 = 0;
let requests: u32 = 0;
let eventsSeen: u32 = 0;
let waiting = new Array<u32>();

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_configure(ctx: u32, size: u32): bool {
  setTickPeriod(<u32>I32.parseInt(getBuffer(PLUGIN_CONFIGURATION, size)));
  queue = registerQueue("events");
  requests = defineCounter("requests_total");
  eventsSeen = defineCounter("events_seen");
  return true;
}

export function proxy_on_tick(root: u32): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    const v = getShared("ticks");
    const n = v == "" ? 0 : I32.parseInt(v);
    if (setShared("ticks", (n + 1).toString(), lastCas) == 0) break;
  }
  const ready = waiting;
  waiting = new Array<u32>();
  for (let i = 0; i < ready.length; i++) {
    setEffectiveContext(ready[i]);
    addHeader(REQUEST_HEADERS, "x-waited", "tick");
    continueRequest();
  }
}

export function proxy_on_request_headers(ctx: u32, n: u32, eos: bool): u32 {
  incrementMetric(requests, 1);
  enqueue(queue, getHeader(REQUEST_HEADERS, ":path")!);
  const ticks = getShared("ticks");
  addHeader(REQUEST_HEADERS, "x-ticks", ticks == "" ? "0" : ticks);
  if (getHeader(REQUEST_HEADERS, "x-cas-test") != null) {
    getShared("cas-key");
    const first = setShared("cas-key", "a", lastCas);
    getShared("cas-key");
    const stale = setShared("cas-key", "b", lastCas + 1);
    const fresh = setShared("cas-key", "c", lastCas);
    addHeader(REQUEST_HEADERS, "x-cas", first.toString() + "," + stale.toString() + "," + fresh.toString());
  }
  if (getHeader(REQUEST_HEADERS, "x-wait-tick") != null) {
    waiting.push(ctx);
    return 1;
  }
  return 0;
}

export function proxy_on_queue_ready(root: u32, id: u32): void {
  while (dequeue(id) != null) incrementMetric(eventsSeen, 1);
}
