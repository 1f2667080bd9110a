// What the runner needs to know about one contender: whether it can run here, and how to start it.
import type { GatewayShape } from '../scenarios.js';

export interface Paths {
  /** The repository root (holds build/wasm/ and perf/results/). */
  repoRoot: string;
  /** The compiled tree the suite runs from (dist/, or any tsc outDir): gateway/cli.js is there. */
  distRoot: string;
  /** <distRoot>/perf, where the compiled child entries of the suite are. */
  perfDist: string;
}

export interface Launch extends Paths {
  /** The loopback port the contender must listen on. */
  port: number;
  /** The port of the shared upstream every proxy forwards to. */
  upstreamPort: number;
  /** Every port the shared upstream listens on (the first is upstreamPort): a gateway cluster's endpoints. */
  upstreamPorts: number[];
  /** How a gateway contender is configured in this scenario (others ignore it). */
  shape: GatewayShape;
  /** A private directory for config files, removed when the suite ends. */
  workDir: string;
}

export interface Command {
  file: string;
  args: string[];
  /** Headers every request to the contender carries (the readiness check's and the load's), e.g. a token. */
  headers?: Record<string, string>;
}

export interface Contender {
  name: string;
  description: string;
  /** Runs on every CPU the suite may use instead of the contender CPU alone (a multi-process contender). */
  spansCpus?: boolean;
  /** Why it cannot run on this machine (with how to fix that), or null when it can. */
  unavailable(paths: Paths): string | null;
  /** The command line that starts it in the foreground; may write its config into workDir (and make keys first). */
  command(launch: Launch): Command | Promise<Command>;
}
