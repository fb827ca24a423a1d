import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** The parts of s3rver (a real S3-compatible server, devDependency, untyped) this peer uses. */
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

/** s3rver's built-in account. */
export const S3_ACCESS_KEY = 'S3RVER';
export const S3_SECRET_KEY = 'S3RVER';

/** A local S3-compatible store on 127.0.0.1 (in this process), with one bucket, files in a temp dir. */
export class S3Peer {
  private constructor(
    private readonly server: S3rverInstance,
    private readonly directory: string,
    readonly endpoint: string,
    readonly bucket: string,
  ) {}

  static async start(bucket = 'pulse-snapshots'): Promise<S3Peer> {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'pulse-s3-'));
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
    const { port } = await server.run();
    return new S3Peer(server, directory, `http://127.0.0.1:${port}`, bucket);
  }

  /** `[database]` keys pointing a Pulse server at this store. */
  databaseConfig(key: string, interval = 60): string {
    return [
      '[database]',
      `interval = ${interval}`,
      `remote_s3_url = "s3://${this.bucket}/${key}"`,
      'remote_s3_region = "us-east-1"',
      `remote_s3_endpoint = "${this.endpoint}"`,
      'remote_s3_force_path_style = true',
      `remote_s3_access_key_id = "${S3_ACCESS_KEY}"`,
      `remote_s3_secret_access_key = "${S3_SECRET_KEY}"`,
      '',
    ].join('\n');
  }

  async stop(): Promise<void> {
    await this.server.close();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
