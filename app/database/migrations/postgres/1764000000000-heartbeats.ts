import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Heartbeat services, alarms and alarm definitions made through the API (SPEC §6). */
export class HeartbeatsPostgres1764000000000 implements MigrationInterface {
  name = 'HeartbeatsPostgres1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "heartbeat_alarms" ("name" character varying(512) NOT NULL, "definition" character varying(255) NOT NULL, "state" character varying(16) NOT NULL, "incident_nbr" integer NOT NULL, "last_state_change" bigint NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_heartbeat_alarms" PRIMARY KEY ("name"))`,
    );
    await db.query(
      `CREATE TABLE "heartbeat_alarm_definitions" ("name" character varying(255) NOT NULL, "pattern" character varying(1024) NOT NULL, "includes" text NOT NULL, "excludes" text NOT NULL, "alerts" text NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_heartbeat_alarm_definitions" PRIMARY KEY ("name"))`,
    );
    await db.query(
      `CREATE TABLE "heartbeat_services" ("name" character varying(255) NOT NULL, "timeout_ms" bigint NOT NULL, "min_interval_ms" bigint NOT NULL, "last_beat" bigint NOT NULL, "state" character varying(16) NOT NULL, "problem" character varying(16), "muted_since" bigint, "last_state_change" bigint NOT NULL, "created_at" bigint NOT NULL, "beats" text NOT NULL, "run_started_at" bigint, "runs" text NOT NULL, CONSTRAINT "PK_heartbeat_services" PRIMARY KEY ("name"))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE "heartbeat_services"`);
    await db.query(`DROP TABLE "heartbeat_alarm_definitions"`);
    await db.query(`DROP TABLE "heartbeat_alarms"`);
  }
}
