import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert channels made through the API, the alert queue and delivery log, maintenance windows, and the
 * heartbeat deadline restart a window's end leaves behind.
 */
export class AlertsSqlite1764100000000 implements MigrationInterface {
  name = 'AlertsSqlite1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "heartbeat_services" ADD COLUMN "deadline_restarted_at" bigint NOT NULL DEFAULT (-1)`);
    await db.query(
      `CREATE TABLE "alert_attempts" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "delivery_id" integer NOT NULL, "at" bigint NOT NULL, "duration_ms" integer NOT NULL, "ok" boolean NOT NULL, "error" text, "temporary" boolean)`,
    );
    await db.query(`CREATE INDEX "IDX_alert_attempts_delivery" ON "alert_attempts" ("delivery_id")`);
    await db.query(
      `CREATE TABLE "alert_channels" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(100) NOT NULL, "type" varchar(32) NOT NULL, "settings" text NOT NULL, "is_default" boolean NOT NULL DEFAULT (0), "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL)`,
    );
    await db.query(`CREATE UNIQUE INDEX "IDX_alert_channels_name" ON "alert_channels" ("name")`);
    await db.query(
      `CREATE TABLE "alert_deliveries" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "channel" varchar(100) NOT NULL, "target_type" varchar(32) NOT NULL, "target_key" varchar(140) NOT NULL, "event" text NOT NULL, "status" varchar(16) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "next_attempt_at" bigint NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, "delivered_at" bigint, "last_error" text, "claimed_by" varchar(64), "claimed_until" bigint, "digest_id" integer)`,
    );
    await db.query(`CREATE INDEX "IDX_alert_deliveries_created" ON "alert_deliveries" ("created_at")`);
    await db.query(`CREATE INDEX "IDX_alert_deliveries_due" ON "alert_deliveries" ("target_key", "status", "next_attempt_at")`);
    await db.query(
      `CREATE TABLE "maintenance_windows" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(200) NOT NULL, "starts_at" bigint, "ends_at" bigint, "cron" varchar(200), "duration_min" integer, "timezone" varchar(64) NOT NULL DEFAULT ('UTC'), "all_targets" boolean NOT NULL DEFAULT (0), "monitor_ids" text NOT NULL DEFAULT ('[]'), "services" varchar(255), "agent_ids" text NOT NULL DEFAULT ('[]'), "created_at" bigint NOT NULL)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "heartbeat_services" DROP COLUMN "deadline_restarted_at"`);
    await db.query(`DROP TABLE "maintenance_windows"`);
    await db.query(`DROP INDEX "IDX_alert_deliveries_due"`);
    await db.query(`DROP INDEX "IDX_alert_deliveries_created"`);
    await db.query(`DROP TABLE "alert_deliveries"`);
    await db.query(`DROP INDEX "IDX_alert_channels_name"`);
    await db.query(`DROP TABLE "alert_channels"`);
    await db.query(`DROP INDEX "IDX_alert_attempts_delivery"`);
    await db.query(`DROP TABLE "alert_attempts"`);
  }
}
