// The stream contexts live on a VM: found by context id (proxy_set_effective_context) and all failed
// together when the VM fails. Held in an array plus a map of id → index (numbers only), never in a
// Map or Set of the streams themselves: with one, finished requests survived young-generation GCs and
// were promoted (a quarter of each scavenge survived instead of 1%; about +16 CPU µs per request in
// perf/, issue 7), because a V8 hash table that rehashes leaves its old table pointing at the entries.
// Array.pop() clears the slot it frees, so the array keeps no finished stream alive.
import type { LiveContext } from './contexts.js';

export class LiveStreams {
  private readonly list: LiveContext[] = [];
  /** Context id → index in `list`. */
  private readonly index = new Map<number, number>();

  add(stream: LiveContext): void {
    this.index.set(stream.id, this.list.length);
    this.list.push(stream);
  }

  get(id: number): LiveContext | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.list[i];
  }

  /** Forgets the stream; nothing when it is not (or no longer) here. */
  delete(stream: LiveContext): void {
    const i = this.index.get(stream.id);
    if (i === undefined || this.list[i] !== stream) return;
    this.index.delete(stream.id);
    const last = this.list.pop()!;
    if (last !== stream) {
      this.list[i] = last;
      this.index.set(last.id, i);
    }
  }

  /** Every stream, forgetting them all. */
  takeAll(): LiveContext[] {
    const all = this.list.splice(0);
    this.index.clear();
    return all;
  }
}
