import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Agents (SPEC §5): the hosts, their raw reports and the minute/hour buckets of their metrics. */
export class AgentsPostgres1764400000000 implements MigrationInterface {
  name = 'AgentsPostgres1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "agents" ("id" SERIAL NOT NULL, "token_id" integer NOT NULL, "name" character varying(200) NOT NULL, "hostname" character varying(255) NOT NULL, "os" character varying(200) NOT NULL DEFAULT '', "interval_s" integer NOT NULL DEFAULT '30', "thresholds" text NOT NULL, "alerts" text NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'ok', "status_reason" text NOT NULL DEFAULT '', "status_since" bigint, "last_seen_at" bigint, "last_collected_at" bigint, "clock_skew_ms" integer, "latest" text, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "PK_agents" PRIMARY KEY ("id"))`,
    );
    await db.query(`CREATE UNIQUE INDEX "IDX_agents_token" ON "agents" ("token_id")`);
    await db.query(`CREATE INDEX "IDX_agents_status" ON "agents" ("status")`);
    await db.query(
      `CREATE TABLE "agent_samples" ("agent_id" integer NOT NULL, "collected_at" bigint NOT NULL, "at" bigint NOT NULL, "received_at" bigint NOT NULL, "report" text NOT NULL, CONSTRAINT "PK_agent_samples" PRIMARY KEY ("agent_id", "collected_at"))`,
    );
    await db.query(`CREATE INDEX "IDX_agent_samples_at" ON "agent_samples" ("at")`);
    await db.query(
      `CREATE TABLE "agent_buckets" ("agent_id" integer NOT NULL, "period" character varying(8) NOT NULL, "bucket_start" bigint NOT NULL, "metric" character varying(32) NOT NULL, "series" character varying(255) NOT NULL, "samples" integer NOT NULL DEFAULT '0', "sum" double precision NOT NULL DEFAULT '0', "max" double precision, CONSTRAINT "PK_agent_buckets" PRIMARY KEY ("agent_id", "period", "bucket_start", "metric", "series"))`,
    );
    await db.query(`CREATE INDEX "IDX_agent_buckets_period_start" ON "agent_buckets" ("period", "bucket_start")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "public"."IDX_agent_buckets_period_start"`);
    await db.query(`DROP TABLE "agent_buckets"`);
    await db.query(`DROP INDEX "public"."IDX_agent_samples_at"`);
    await db.query(`DROP TABLE "agent_samples"`);
    await db.query(`DROP INDEX "public"."IDX_agents_status"`);
    await db.query(`DROP INDEX "public"."IDX_agents_token"`);
    await db.query(`DROP TABLE "agents"`);
  }
}
