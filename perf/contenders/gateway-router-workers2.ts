// Our gateway, router only, with `--workers 2`: a primary (admin, supervision) and two workers
// sharing the listener port. It runs on every CPU the suite may use; its CPU time is the whole
// process tree's (primary and workers).
import { readFileSync } from 'node:fs';
import type { Contender, Paths } from './contender.js';
import { cliPath, gatewayCommand, gatewayUnavailable } from './gateway.js';

export const WORKERS = 2;

/** The compiled CLI mentions its --workers flag in its usage text once it has one. */
function workersFlagMissing(paths: Paths): string | null {
  return readFileSync(cliPath(paths.distRoot), 'utf8').includes('--workers') ? null : `${cliPath(paths.distRoot)} has no --workers flag yet`;
}

export const gatewayRouterWorkers2: Contender = {
  name: 'gateway-router-workers2',
  description: `this gateway, router filter only, --workers ${WORKERS}, on every CPU (not pinned to one)`,
  spansCpus: true,
  unavailable: (paths) => gatewayUnavailable(paths) ?? workersFlagMissing(paths),
  command: (launch) => gatewayCommand('gateway-router-workers2', launch, [], ['--workers', String(WORKERS)]),
};
