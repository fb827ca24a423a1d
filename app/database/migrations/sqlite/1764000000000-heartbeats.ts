import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Heartbeat services, alarms and alarm definitions made through the API (SPEC §6). */
export class HeartbeatsSqlite1764000000000 implements MigrationInterface {
  name = 'HeartbeatsSqlite1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "heartbeat_alarms" ("name" varchar(512) PRIMARY KEY NOT NULL, "definition" varchar(255) NOT NULL, "state" varchar(16) NOT NULL, "incident_nbr" integer NOT NULL, "last_state_change" bigint NOT NULL, "created_at" bigint NOT NULL)`,
    );
    await db.query(
      `CREATE TABLE "heartbeat_alarm_definitions" ("name" varchar(255) PRIMARY KEY NOT NULL, "pattern" varchar(1024) NOT NULL, "includes" text NOT NULL, "excludes" text NOT NULL, "alerts" text NOT NULL, "created_at" bigint NOT NULL)`,
    );
    await db.query(
      `CREATE TABLE "heartbeat_services" ("name" varchar(255) PRIMARY KEY NOT NULL, "timeout_ms" bigint NOT NULL, "min_interval_ms" bigint NOT NULL, "last_beat" bigint NOT NULL, "state" varchar(16) NOT NULL, "problem" varchar(16), "muted_since" bigint, "last_state_change" bigint NOT NULL, "created_at" bigint NOT NULL, "beats" text NOT NULL, "run_started_at" bigint, "runs" text NOT NULL)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "heartbeat_services"`);
    await db.query(`DROP TABLE "heartbeat_alarm_definitions"`);
    await db.query(`DROP TABLE "heartbeat_alarms"`);
  }
}
