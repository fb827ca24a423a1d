import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DatabaseSection } from '../config/config.schema.js';

/** `s3://bucket/path/to/file` → bucket and key. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new Error(`not an s3://bucket/key URL: ${url}`);
  return { bucket: match[1]!, key: match[2]! };
}

/** The database snapshot's place in S3 (or an S3-compatible store), from `[database] remote_s3_*`. */
export class S3SnapshotStore {
  private readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;

  constructor(database: DatabaseSection) {
    ({ bucket: this.bucket, key: this.key } = parseS3Url(database.remote_s3_url));
    this.client = new S3Client({
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
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: body, ContentType: 'application/vnd.sqlite3' }));
  }

  /** The snapshot's bytes, or null when there is none yet. */
  async download(): Promise<Buffer | null> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      return Buffer.from(await response.Body!.transformToByteArray());
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}
