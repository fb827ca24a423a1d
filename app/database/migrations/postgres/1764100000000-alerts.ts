import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alert channels made through the API, the alert queue and delivery log, maintenance windows, and the
 * heartbeat deadline restart a window's end leaves behind.
 */
export class AlertsPostgres1764100000000 implements MigrationInterface {
  name = 'AlertsPostgres1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "heartbeat_services" ADD "deadline_restarted_at" bigint NOT NULL DEFAULT '-1'`);
    await db.query(
      `CREATE TABLE "alert_attempts" ("id" SERIAL NOT NULL, "delivery_id" integer NOT NULL, "at" bigint NOT NULL, "duration_ms" integer NOT NULL, "ok" boolean NOT NULL, "error" text, "temporary" boolean, CONSTRAINT "PK_alert_attempts" PRIMARY KEY ("id"))`,
    );
    await db.query(`CREATE INDEX "IDX_alert_attempts_delivery" ON "alert_attempts"  ("delivery_id")`);
    await db.query(
      `CREATE TABLE "alert_channels" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "type" character varying(32) NOT NULL, "settings" text NOT NULL, "is_default" boolean NOT NULL DEFAULT false, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "PK_alert_channels" PRIMARY KEY ("id"))`,
    );
    await db.query(`CREATE UNIQUE INDEX "IDX_alert_channels_name" ON "alert_channels"  ("name")`);
    await db.query(
      `CREATE TABLE "alert_deliveries" ("id" SERIAL NOT NULL, "channel" character varying(100) NOT NULL, "target_type" character varying(32) NOT NULL, "target_key" character varying(140) NOT NULL, "event" text NOT NULL, "status" character varying(16) NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" bigint NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, "delivered_at" bigint, "last_error" text, "claimed_by" character varying(64), "claimed_until" bigint, "digest_id" integer, CONSTRAINT "PK_alert_deliveries" PRIMARY KEY ("id"))`,
    );
    await db.query(`CREATE INDEX "IDX_alert_deliveries_created" ON "alert_deliveries"  ("created_at")`);
    await db.query(`CREATE INDEX "IDX_alert_deliveries_due" ON "alert_deliveries"  ("target_key", "status", "next_attempt_at")`);
    await db.query(
      `CREATE TABLE "maintenance_windows" ("id" SERIAL NOT NULL, "name" character varying(200) NOT NULL, "starts_at" bigint, "ends_at" bigint, "cron" character varying(200), "duration_min" integer, "timezone" character varying(64) NOT NULL DEFAULT 'UTC', "all_targets" boolean NOT NULL DEFAULT false, "monitor_ids" text NOT NULL DEFAULT '[]', "services" character varying(255), "agent_ids" text NOT NULL DEFAULT '[]', "created_at" bigint NOT NULL, CONSTRAINT "PK_maintenance_windows" PRIMARY KEY ("id"))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE "heartbeat_services" DROP COLUMN "deadline_restarted_at"`);
    await db.query(`DROP TABLE "maintenance_windows"`);
    await db.query(`DROP INDEX "public"."IDX_alert_deliveries_due"`);
    await db.query(`DROP INDEX "public"."IDX_alert_deliveries_created"`);
    await db.query(`DROP TABLE "alert_deliveries"`);
    await db.query(`DROP INDEX "public"."IDX_alert_channels_name"`);
    await db.query(`DROP TABLE "alert_channels"`);
    await db.query(`DROP INDEX "public"."IDX_alert_attempts_delivery"`);
    await db.query(`DROP TABLE "alert_attempts"`);
  }
}
