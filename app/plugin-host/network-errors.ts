/** Socket and TLS errors in words, as check results show them (`connection refused`, not `ECONNREFUSED`). */
const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host down',
  ETIMEDOUT: 'connection timed out',
  EADDRNOTAVAIL: 'address not available',
  EPIPE: 'connection closed by the peer',
  ECONNABORTED: 'connection aborted',
};

const TLS_ERRORS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate chain cannot be verified (missing intermediate?)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate issuer is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate issuer is not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate is not valid for this host name',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server does not speak TLS on this port',
};

/** What went wrong on a connection, in a few words; `host` names the target for resolver errors. */
export function describeNetworkError(error: NodeJS.ErrnoException, host: string): string {
  const code = error.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return `host not found: ${host}`;
  if (SOCKET_ERRORS[code]) return SOCKET_ERRORS[code];
  if (TLS_ERRORS[code]) return `TLS: ${TLS_ERRORS[code]}`;
  if (/wrong version number|packet length too long|unknown protocol/i.test(error.message))
    return `TLS: ${TLS_ERRORS.ERR_SSL_WRONG_VERSION_NUMBER}`;
  return error.message;
}

/** Milliseconds with two decimals: what latency fields carry. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
