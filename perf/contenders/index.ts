// Every contender the suite knows, in the order they run and appear in the report.
import type { Contender } from './contender.js';
import { fastifyHttpProxy } from './fastify-http-proxy.js';
import { gatewayChain } from './gateway-chain.js';
import { gatewayRouter } from './gateway-router.js';
import { gatewayRouterWorkers2 } from './gateway-router-workers2.js';
import { gatewayWasm } from './gateway-wasm.js';
import { haproxy } from './haproxy.js';
import { nginx } from './nginx.js';
import { nodeFloor } from './node-floor.js';
import { upstream } from './upstream.js';

export type { Command, Contender, Launch, Paths } from './contender.js';

export const CONTENDERS: readonly Contender[] = [upstream, fastifyHttpProxy, nodeFloor, gatewayRouter, gatewayChain, gatewayWasm, gatewayRouterWorkers2, nginx, haproxy];
