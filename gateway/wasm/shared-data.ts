// proxy_get_shared_data / proxy_set_shared_data: a key-value store per vm_id shared by every VM of the
// process with that vm_id (Envoy keeps it per vm_id too), with compare-and-swap. A cas of 0 in a set
// writes unconditionally; otherwise it must equal the entry's current cas.
import { Status } from './abi.js';

interface Entry {
  value: Buffer;
  cas: number;
}

const stores = new Map<string, Map<string, Entry>>();
let nextCas = 1;

function storeOf(vmId: string): Map<string, Entry> {
  let s = stores.get(vmId);
  if (s === undefined) stores.set(vmId, (s = new Map()));
  return s;
}

export function getSharedData(vmId: string, key: string): Entry | undefined {
  return stores.get(vmId)?.get(key);
}

export function setSharedData(vmId: string, key: string, value: Buffer, cas: number): Status {
  const store = storeOf(vmId);
  const entry = store.get(key);
  if (cas !== 0 && entry !== undefined && entry.cas !== cas) return Status.CasMismatch;
  const next = nextCas++;
  if (nextCas > 0xffffffff) nextCas = 1; // cas is a u32 and 0 means "none"
  if (entry === undefined) store.set(key, { value, cas: next });
  else {
    entry.value = value;
    entry.cas = next;
  }
  return Status.Ok;
}
