// The Node floor: node:http + undici Pool dispatch with a hand-written streaming handler.
import { join } from 'node:path';
import type { Contender } from './contender.js';

export const nodeFloor: Contender = {
  name: 'node-floor',
  description: 'node:http + undici Pool dispatch, hand-written handler (the least a Node proxy does)',
  unavailable: () => null,
  command: ({ perfDist, port, upstreamPort }) => ({
    file: process.execPath,
    args: [join(perfDist, 'node-floor-proxy.js'), String(port), String(upstreamPort)],
  }),
};
