// The shape of the load, shared by the runner and the child servers it starts.

/** Body size the upstream answers with by default; readiness checks expect exactly this through every contender. */
export const BODY_BYTES = 128;

/** The large bodies of the body scenarios, both ways: 16 KiB and 1 MiB. */
export const LARGE_BODY_BYTES = [16 * 1024, 1024 * 1024] as const;

/** The upstream answers `GET ${DOWNLOAD_PATH}<n>` with n bytes, for n in LARGE_BODY_BYTES (preallocated). */
export const DOWNLOAD_PATH = '/bytes/';

/** Concurrent keep-alive connections the load generator holds open. */
export const CONNECTIONS = 50;

/** Connections of the many-connections scenario. */
export const MANY_CONNECTIONS = 1000;

/** How long a contender may take to start serving before the suite gives up on it. */
export const START_TIMEOUT_MS = 15_000;

export interface Timing {
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
}

/** --quick: fits in under two minutes with its subset of scenarios. */
export const QUICK: Timing = { warmupSeconds: 1, rounds: 2, roundSeconds: 3 };
export const FULL: Timing = { warmupSeconds: 5, rounds: 3, roundSeconds: 10 };
