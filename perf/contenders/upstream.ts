// The upstream answered directly: the ceiling a proxy in front of it can approach.
import { join } from 'node:path';
import type { Contender } from './contender.js';

export const upstream: Contender = {
  name: 'upstream',
  description: 'the node:http upstream, no proxy (its own instance on the contender CPU)',
  unavailable: () => null,
  command: ({ perfDist, port }) => ({ file: process.execPath, args: [join(perfDist, 'upstream.js'), String(port)] }),
};
