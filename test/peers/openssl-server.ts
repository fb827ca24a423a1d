import { freePort } from '../support/ports.js';
import { startProcess, type TestProcess } from '../support/processes.js';
import type { IssuedCertificate } from './certificates.js';

/**
 * `openssl s_server` on 127.0.0.1 serving one certificate (plus an optional chain), answering HTTP with
 * `-www`. A real TLS peer, independent of Node's TLS stack; stopped by pid.
 */
export class OpensslServer {
  private constructor(
    readonly process: TestProcess,
    readonly port: number,
  ) {}

  static async start(certificate: IssuedCertificate, chain?: IssuedCertificate): Promise<OpensslServer> {
    const port = await freePort();
    const args = [
      's_server',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      certificate.certFile,
      '-key',
      certificate.keyFile,
      '-www',
      '-no_dhe',
    ];
    if (chain) args.push('-cert_chain', chain.certFile);
    const child = startProcess('openssl', args, { label: 'openssl s_server' });
    try {
      await child.waitForOutput(/ACCEPT/);
    } catch (error) {
      await child.stop();
      throw error;
    }
    return new OpensslServer(child, port);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}
