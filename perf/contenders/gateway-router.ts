// Our gateway with nothing but the router in its HTTP filter chain.
import type { Contender } from './contender.js';
import { gatewayCommand, gatewayUnavailable } from './gateway.js';

export const gatewayRouter: Contender = {
  name: 'gateway-router',
  description: 'this gateway, router filter only',
  unavailable: gatewayUnavailable,
  command: (launch) => gatewayCommand('gateway-router', launch, []),
};
