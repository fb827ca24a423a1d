import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Monitors, their per-source latest results, raw results, minute/hour buckets and incidents (generated from the entities). */
export class MonitorsSqlite1763900000000 implements MigrationInterface {
  name = 'MonitorsSqlite1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "check_results" ("monitor_id" integer NOT NULL, "checked_at" bigint NOT NULL, "source" varchar(64) NOT NULL, "status" varchar(16) NOT NULL, "latency_ms" double precision, "message" text NOT NULL, "details" text, PRIMARY KEY ("monitor_id", "checked_at", "source"))`,
    );
    await db.query(`CREATE INDEX "IDX_check_results_checked_at" ON "check_results" ("checked_at")`);
    await db.query(
      `CREATE TABLE "monitor_buckets" ("monitor_id" integer NOT NULL, "period" varchar(8) NOT NULL, "bucket_start" bigint NOT NULL, "up_ms" bigint NOT NULL DEFAULT (0), "warning_ms" bigint NOT NULL DEFAULT (0), "down_ms" bigint NOT NULL DEFAULT (0), "maintenance_ms" bigint NOT NULL DEFAULT (0), "checks" integer NOT NULL DEFAULT (0), "down_checks" integer NOT NULL DEFAULT (0), "latency_count" integer NOT NULL DEFAULT (0), "latency_sum_ms" double precision NOT NULL DEFAULT (0), "latency_min_ms" double precision, "latency_max_ms" double precision, "latency_p95_ms" double precision, PRIMARY KEY ("monitor_id", "period", "bucket_start"))`,
    );
    await db.query(`CREATE INDEX "IDX_monitor_buckets_period_start" ON "monitor_buckets" ("period", "bucket_start")`);
    await db.query(
      `CREATE TABLE "monitor_incidents" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "monitor_id" integer NOT NULL, "number" integer NOT NULL, "started_at" bigint NOT NULL, "ended_at" bigint, "cause" text NOT NULL, "resolution" varchar(16))`,
    );
    await db.query(`CREATE UNIQUE INDEX "IDX_monitor_incidents_number" ON "monitor_incidents" ("monitor_id", "number")`);
    await db.query(
      `CREATE TABLE "monitor_sources" ("monitor_id" integer NOT NULL, "source" varchar(64) NOT NULL, "status" varchar(16) NOT NULL, "latency_ms" double precision, "message" text NOT NULL, "checked_at" bigint NOT NULL, PRIMARY KEY ("monitor_id", "source"))`,
    );
    await db.query(
      `CREATE TABLE "monitors" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(200) NOT NULL, "type" varchar(32) NOT NULL, "target" varchar(2048) NOT NULL, "interval_s" integer NOT NULL, "timeout_s" integer NOT NULL, "retries" integer NOT NULL, "quorum" integer, "pollers" text NOT NULL, "alerts" text NOT NULL, "options" text NOT NULL, "paused" boolean NOT NULL DEFAULT (0), "status" varchar(16) NOT NULL DEFAULT ('pending'), "status_message" text NOT NULL DEFAULT (''), "last_change_at" bigint, "incident_number" integer NOT NULL DEFAULT (0), "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL)`,
    );
    await db.query(`CREATE INDEX "IDX_monitors_type" ON "monitors" ("type")`);
    await db.query(`CREATE INDEX "IDX_monitors_status" ON "monitors" ("status")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "IDX_monitors_status"`);
    await db.query(`DROP INDEX "IDX_monitors_type"`);
    await db.query(`DROP TABLE "monitors"`);
    await db.query(`DROP TABLE "monitor_sources"`);
    await db.query(`DROP INDEX "IDX_monitor_incidents_number"`);
    await db.query(`DROP TABLE "monitor_incidents"`);
    await db.query(`DROP INDEX "IDX_monitor_buckets_period_start"`);
    await db.query(`DROP TABLE "monitor_buckets"`);
    await db.query(`DROP INDEX "IDX_check_results_checked_at"`);
    await db.query(`DROP TABLE "check_results"`);
  }
}
