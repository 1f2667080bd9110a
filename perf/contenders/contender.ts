// What the runner needs to know about one contender: whether it can run here, and how to start it.

export interface Paths {
  /** The repository root (holds dist/). */
  repoRoot: string;
  /** dist/perf, where the compiled child entries of the suite are. */
  perfDist: string;
}

export interface Launch extends Paths {
  /** The loopback port the contender must listen on. */
  port: number;
  /** The port of the shared upstream it must forward to. */
  upstreamPort: number;
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
  /** Why it cannot run on this machine (with how to fix that), or null when it can. */
  unavailable(paths: Paths): string | null;
  /** The command line that starts it in the foreground; may write its config into workDir (and make keys first). */
  command(launch: Launch): Command | Promise<Command>;
}
