import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
}

export interface CertificateRequest {
  commonName: string;
  /** The subject's O; "Pulse tests" when not given. */
  organization?: string;
  /** DNS names and IP addresses for subjectAltName. */
  altNames?: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** Signed by this CA; self-signed without. */
  issuer?: IssuedCertificate;
}

const DAY = 86_400_000;

/**
 * Test certificates made on the spot with node-forge (RSA keys from node:crypto, which is much faster than
 * forge's own key generation), written to a temp directory for peers such as `openssl s_server`.
 * forge can set any validity dates, which is how expired and not-yet-valid certificates are made.
 */
export class CertificateFactory {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-certs-'));
  private count = 0;

  issue(request: CertificateRequest, isCa = false): IssuedCertificate {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.rsa.setPublicKey(key.n, key.e);
    cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
    cert.validity.notBefore = request.notBefore ?? new Date(Date.now() - DAY);
    cert.validity.notAfter = request.notAfter ?? new Date(Date.now() + 90 * DAY);
    const subject = [
      { name: 'commonName', value: request.commonName },
      { name: 'organizationName', value: request.organization ?? 'Pulse tests' },
    ];
    cert.setSubject(subject);
    const issuerCert = request.issuer ? forge.pki.certificateFromPem(request.issuer.certPem) : null;
    cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
    const extensions: object[] = [{ name: 'basicConstraints', cA: isCa }];
    if (isCa) extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true });
    else extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true }, { name: 'extKeyUsage', serverAuth: true });
    if (request.altNames?.length) {
      extensions.push({
        name: 'subjectAltName',
        altNames: request.altNames.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })),
      });
    }
    cert.setExtensions(extensions);
    const signer = request.issuer ? (forge.pki.privateKeyFromPem(request.issuer.keyPem) as forge.pki.rsa.PrivateKey) : key;
    cert.sign(signer, forge.md.sha256.create());
    const certPem = forge.pki.certificateToPem(cert);
    const base = path.join(this.dir, `cert-${++this.count}`);
    writeFileSync(`${base}.crt`, certPem);
    writeFileSync(`${base}.key`, keyPem, { mode: 0o600 });
    return { certPem, keyPem, certFile: `${base}.crt`, keyFile: `${base}.key` };
  }

  certificateAuthority(commonName = 'Pulse Test CA'): IssuedCertificate {
    return this.issue({ commonName, notAfter: new Date(Date.now() + 365 * DAY) }, true);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const daysFromNow = (days: number) => new Date(Date.now() + days * DAY);
