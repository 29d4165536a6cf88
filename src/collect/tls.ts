/**
 * TLS failures of the certificate chain that visitors do not see: an intermediate certificate the server does not send
 * (browsers fetch it themselves — common on government servers) or a root that this machine's store lacks but the
 * visitors' systems may trust. Expired certificates, wrong host names and failed handshakes are not in this list:
 * browsers refuse those too. The link checker and the availability probe look again without verifying on these.
 */
export const CHAIN_TRUST_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
]);

const MENTION = new RegExp(`\\b(${[...CHAIN_TRUST_CODES].join('|')})\\b`);

/** Does an error code or an error text (e.g. "TLS failure (UNABLE_TO_VERIFY_LEAF_SIGNATURE)") name one of them? */
export function isChainTrustError(codeOrText: string | undefined): boolean {
  return !!codeOrText && MENTION.test(codeOrText);
}
