// What the primary and its workers say to each other over node:cluster's IPC channel (JSON).
import type { ConfigError } from '../config/errors.js';
import type { GatewayConfig } from '../config/types.js';
import type { StatsSnapshot } from '../stats/snapshot.js';
import type { ClusterView } from '../admin/clusters-view.js';
import type { ReloadSummary } from '../reload/reload-plan.js';

/** A config validated by the primary, sent as it is (workers validate it again against their filter registry). */
export interface ConfigMessage {
  readonly config: GatewayConfig;
  readonly configDir: string;
}

export type ToWorker =
  | ({ readonly type: 'start' } & ConfigMessage)
  /** Answered with a `reply` carrying the value, or the errors. */
  | { readonly type: 'stats'; readonly id: number }
  | { readonly type: 'clusters'; readonly id: number }
  | ({ readonly type: 'prepare'; readonly id: number } & ConfigMessage)
  | { readonly type: 'commit'; readonly id: number }
  | { readonly type: 'abort'; readonly id: number }
  /** Stop accepting, finish what is in flight within the drain time, exit 0. */
  | { readonly type: 'drain' };

export type FromWorker =
  /** Its message handler is in place: the primary may send `start`. */
  | { readonly type: 'hello' }
  | { readonly type: 'live' }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value: StatsSnapshot | ClusterView[] | ReloadSummary | null }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly errors: ConfigError[] };
