// The shape of the load, shared by the runner and the child servers it starts.

/** Body size the upstream answers with; readiness checks expect exactly this through every contender. */
export const BODY_BYTES = 128;

/** Concurrent keep-alive connections the load generator holds open. */
export const CONNECTIONS = 50;

/** How long a contender may take to start serving before the suite gives up on it. */
export const START_TIMEOUT_MS = 15_000;

export interface Timing {
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
}

/** --quick: fits in under two minutes with the eight contenders. */
export const QUICK: Timing = { warmupSeconds: 2, rounds: 2, roundSeconds: 5 };
export const FULL: Timing = { warmupSeconds: 5, rounds: 3, roundSeconds: 10 };
