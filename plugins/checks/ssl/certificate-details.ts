import { createHash } from 'node:crypto';
import type Forge from 'node-forge';
import { loadOnce } from '../../../app/plugin-host/index.js';

export interface CertificateDetails {
  subject: string;
  issuer: string;
  sans: string[];
  valid_from: string;
  valid_to: string;
  fingerprint: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

const loadForge = loadOnce(() => import('node-forge').then((module) => module.default));
type ForgeModule = Awaited<ReturnType<typeof loadForge>>;

/**
 * The certificate reader, with node-forge loaded on first use: a server without SSL monitors never
 * loads (or keeps in memory) the library.
 */
export async function certificateReader(): Promise<(der: Buffer) => CertificateDetails> {
  const forge = await loadForge();
  return (der) => readCertificate(forge, der);
}

/**
 * Reads a DER certificate with node-forge. forge only understands RSA public keys; the key is not needed
 * for the details, so any other SubjectPublicKeyInfo (ECDSA, Ed25519) is swapped for a placeholder first.
 */
export function readCertificate(forge: ForgeModule, der: Buffer): CertificateDetails {
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  let cert: Forge.pki.Certificate;
  try {
    cert = forge.pki.certificateFromAsn1(asn1);
  } catch (error) {
    if (!/not RSA/i.test((error as Error).message)) throw error;
    replacePublicKey(forge, asn1);
    cert = forge.pki.certificateFromAsn1(asn1);
  }
  const altNames =
    (cert.getExtension('subjectAltName') as { altNames?: { type: number; value?: string; ip?: string }[] } | undefined)?.altNames ?? [];
  return {
    subject: distinguishedName(cert.subject.attributes),
    issuer: distinguishedName(cert.issuer.attributes),
    sans: altNames.map((name) => (name.type === 7 ? name.ip : name.value)).filter((name): name is string => typeof name === 'string'),
    valid_from: cert.validity.notBefore.toISOString(),
    valid_to: cert.validity.notAfter.toISOString(),
    fingerprint: createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':'),
    serial: cert.serialNumber.toUpperCase(),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
  };
}

function distinguishedName(attributes: Forge.pki.CertificateField[]): string {
  return attributes.map((attribute) => `${attribute.shortName ?? attribute.name ?? attribute.type}=${String(attribute.value)}`).join(', ');
}

let placeholderKey: Forge.asn1.Asn1 | null = null;

function replacePublicKey(forge: ForgeModule, certificate: Forge.asn1.Asn1): void {
  const tbs = (certificate.value as Forge.asn1.Asn1[])[0]!;
  const fields = tbs.value as Forge.asn1.Asn1[];
  // TBSCertificate: [0] version (optional, context-specific), serial, signature, issuer, validity, subject, SPKI, ...
  const keyIndex = (fields[0]!.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0) + 5;
  fields[keyIndex] = placeholderKey ??= forge.pki.publicKeyToAsn1(
    forge.pki.rsa.setPublicKey(new forge.jsbn.BigInteger('00c5', 16), new forge.jsbn.BigInteger('10001', 16)),
  );
}
