// Shared queues: registered by a root context under (vm_id, name), resolved by any VM of the process,
// and drained by whoever dequeues. Each enqueue tells the owner, asynchronously, with
// proxy_on_queue_ready(owner root, queue id). Ids are process-wide and never reused.
import { Status } from './abi.js';

/** Who is told when an item arrives: the VM and root context that registered the queue. */
export interface QueueOwner {
  queueReady(queueId: number): void;
}

interface Queue {
  readonly id: number;
  owner: QueueOwner;
  readonly items: Buffer[];
}

const byName = new Map<string, Queue>();
const byId = new Map<number, Queue>();
let nextId = 1;

function nameKey(vmId: string, name: string): string {
  return `${vmId}\0${name}`;
}

/** Registers (or takes over) the queue `name` of `vmId`; returns its id. */
export function registerQueue(vmId: string, name: string, owner: QueueOwner): number {
  const key = nameKey(vmId, name);
  let q = byName.get(key);
  if (q === undefined) {
    q = { id: nextId++, owner, items: [] };
    byName.set(key, q);
    byId.set(q.id, q);
  } else q.owner = owner;
  return q.id;
}

export function resolveQueue(vmId: string, name: string): number | undefined {
  return byName.get(nameKey(vmId, name))?.id;
}

export function enqueue(id: number, item: Buffer): Status {
  const q = byId.get(id);
  if (q === undefined) return Status.NotFound;
  q.items.push(item);
  const owner = q.owner;
  setImmediate(() => owner.queueReady(id));
  return Status.Ok;
}

/** The oldest item; Empty when there is none, NotFound for an unknown id. */
export function dequeue(id: number): Buffer | Status.Empty | Status.NotFound {
  const q = byId.get(id);
  if (q === undefined) return Status.NotFound;
  return q.items.shift() ?? Status.Empty;
}
