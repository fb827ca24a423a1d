import type { S3Client } from '@aws-sdk/client-s3';
import type { DatabaseSection } from '../config/config.schema.js';

/** `s3://bucket/path/to/file` → bucket and key. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new Error(`not an s3://bucket/key URL: ${url}`);
  return { bucket: match[1]!, key: match[2]! };
}

/** The AWS SDK is large: it is loaded only when a snapshot store is configured. */
const loadSdk = () => import('@aws-sdk/client-s3');
type S3Sdk = Awaited<ReturnType<typeof loadSdk>>;

/** The database snapshot's place in S3 (or an S3-compatible store), from `[database] remote_s3_*`. */
export class S3SnapshotStore {
  readonly bucket: string;
  readonly key: string;

  static async open(database: DatabaseSection): Promise<S3SnapshotStore> {
    return new S3SnapshotStore(await loadSdk(), database);
  }

  private readonly client: S3Client;

  private constructor(
    private readonly sdk: S3Sdk,
    database: DatabaseSection,
  ) {
    ({ bucket: this.bucket, key: this.key } = parseS3Url(database.remote_s3_url));
    this.client = new sdk.S3Client({
      region: database.remote_s3_region || 'us-east-1',
      ...(database.remote_s3_endpoint ? { endpoint: database.remote_s3_endpoint } : {}),
      forcePathStyle: database.remote_s3_force_path_style,
      ...(database.remote_s3_access_key_id
        ? { credentials: { accessKeyId: database.remote_s3_access_key_id, secretAccessKey: database.remote_s3_secret_access_key } }
        : {}),
      // Checksums only where S3 requires them: S3-compatible stores often reject the newer trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  get location(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  async upload(body: Buffer): Promise<void> {
    await this.client.send(
      new this.sdk.PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: body, ContentType: 'application/vnd.sqlite3' }),
    );
  }

  /** The snapshot's bytes, or null when there is none yet. */
  async download(): Promise<Buffer | null> {
    try {
      const response = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      return Buffer.from(await response.Body!.transformToByteArray());
    } catch (error) {
      if (error instanceof this.sdk.NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
