import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Agents (SPEC §5): the hosts, their raw reports and the minute/hour buckets of their metrics. */
export class AgentsSqlite1764400000000 implements MigrationInterface {
  name = 'AgentsSqlite1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "agents" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "token_id" integer NOT NULL, "name" varchar(200) NOT NULL, "hostname" varchar(255) NOT NULL, "os" varchar(200) NOT NULL DEFAULT (''), "interval_s" integer NOT NULL DEFAULT (30), "thresholds" text NOT NULL, "alerts" text NOT NULL, "status" varchar(16) NOT NULL DEFAULT ('ok'), "status_reason" text NOT NULL DEFAULT (''), "status_since" bigint, "last_seen_at" bigint, "last_collected_at" bigint, "clock_skew_ms" integer, "latest" text, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL)`,
    );
    await db.query(`CREATE UNIQUE INDEX "IDX_agents_token" ON "agents" ("token_id")`);
    await db.query(`CREATE INDEX "IDX_agents_status" ON "agents" ("status")`);
    await db.query(
      `CREATE TABLE "agent_samples" ("agent_id" integer NOT NULL, "collected_at" bigint NOT NULL, "at" bigint NOT NULL, "received_at" bigint NOT NULL, "report" text NOT NULL, PRIMARY KEY ("agent_id", "collected_at"))`,
    );
    await db.query(`CREATE INDEX "IDX_agent_samples_at" ON "agent_samples" ("at")`);
    await db.query(
      `CREATE TABLE "agent_buckets" ("agent_id" integer NOT NULL, "period" varchar(8) NOT NULL, "bucket_start" bigint NOT NULL, "metric" varchar(32) NOT NULL, "series" varchar(255) NOT NULL, "samples" integer NOT NULL DEFAULT (0), "sum" double precision NOT NULL DEFAULT (0), "max" double precision, PRIMARY KEY ("agent_id", "period", "bucket_start", "metric", "series"))`,
    );
    await db.query(`CREATE INDEX "IDX_agent_buckets_period_start" ON "agent_buckets" ("period", "bucket_start")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "IDX_agent_buckets_period_start"`);
    await db.query(`DROP TABLE "agent_buckets"`);
    await db.query(`DROP INDEX "IDX_agent_samples_at"`);
    await db.query(`DROP TABLE "agent_samples"`);
    await db.query(`DROP INDEX "IDX_agents_status"`);
    await db.query(`DROP INDEX "IDX_agents_token"`);
    await db.query(`DROP TABLE "agents"`);
  }
}
