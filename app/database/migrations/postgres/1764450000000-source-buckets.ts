import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SourceBucketsPostgres1764450000000 implements MigrationInterface {
  name = 'SourceBucketsPostgres1764450000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "monitor_source_buckets" ("monitor_id" integer NOT NULL, "source" character varying(64) NOT NULL, ` +
        `"period" character varying(8) NOT NULL, "bucket_start" bigint NOT NULL, "checks" integer NOT NULL DEFAULT '0', ` +
        `"down_checks" integer NOT NULL DEFAULT '0', "latency_count" integer NOT NULL DEFAULT '0', "latency_sum_ms" double precision NOT NULL DEFAULT '0', ` +
        `"latency_min_ms" double precision, "latency_max_ms" double precision, ` +
        `CONSTRAINT "PK_monitor_source_buckets" PRIMARY KEY ("monitor_id", "source", "period", "bucket_start"))`,
    );
    await db.query(`CREATE INDEX "IDX_monitor_source_buckets_period_start" ON "monitor_source_buckets" ("period", "bucket_start")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "public"."IDX_monitor_source_buckets_period_start"`);
    await db.query(`DROP TABLE "monitor_source_buckets"`);
  }
}
