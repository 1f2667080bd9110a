// How a failed upstream attempt is classified, and what the client gets for it (Envoy's statuses,
// bodies and response flags).
import { isTlsError } from '../cluster/upstream-tls.js';

/** connect: no byte reached the upstream; reset: the connection broke after that; timeout: ours fired. */
export type FailureKind = 'connect' | 'reset' | 'timeout';

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'EAI_AGAIN',
]);

export function classifyError(err: unknown): FailureKind {
  const code = (err as { code?: string } | null)?.code;
  if (code !== undefined && (CONNECT_CODES.has(code) || isTlsError(code))) return 'connect';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  return 'reset';
}

export interface FailureReply {
  status: number;
  body: string;
  flag: string;
  details: string;
}

const CONNECT_FAILURE: FailureReply = {
  status: 503,
  body: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure',
  flag: 'UF',
  details: 'upstream_reset_before_response_started{connection_failure}',
};
const RESET: FailureReply = {
  status: 503,
  body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
  flag: 'UR',
  details: 'upstream_reset_before_response_started{connection_termination}',
};
const TIMEOUT: FailureReply = {
  status: 504,
  body: 'upstream request timeout',
  flag: 'UT',
  details: 'upstream_response_timeout',
};

export function failureReply(kind: FailureKind): FailureReply {
  return kind === 'connect' ? CONNECT_FAILURE : kind === 'reset' ? RESET : TIMEOUT;
}

/** A connect failure that was a TLS handshake or certificate error names it in the details, as Envoy does. */
export function connectFailureReply(err: Error | null): FailureReply {
  const code = (err as { code?: string } | null)?.code;
  if (code === undefined || !isTlsError(code)) return CONNECT_FAILURE;
  return { ...CONNECT_FAILURE, details: `upstream_reset_before_response_started{connection_failure,TLS_error:${code}}` };
}

export const NO_HEALTHY_UPSTREAM: FailureReply = {
  status: 503,
  body: 'no healthy upstream',
  flag: 'UH',
  details: 'no_healthy_upstream',
};
export const OVERFLOW: FailureReply = {
  status: 503,
  body: 'upstream connect error or disconnect/reset before headers. reset reason: overflow',
  flag: 'UO',
  details: 'upstream_reset_before_response_started{overflow}',
};
export const NO_CLUSTER: FailureReply = {
  status: 503,
  body: 'cluster not found',
  flag: 'NC',
  details: 'cluster_not_found',
};
