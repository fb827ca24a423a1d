import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The cluster tables exist on SQLite too (the same schema on both): SQLite serves one server, and its one
 * `cluster_servers` row is how a second server on the same file is refused.
 */
export class ClusterSqlite1764600000000 implements MigrationInterface {
  name = 'ClusterSqlite1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "cluster_servers" ("id" varchar(64) PRIMARY KEY NOT NULL, "name" varchar(255) NOT NULL, "host" varchar(255) NOT NULL, "pid" integer NOT NULL, "version" varchar(64) NOT NULL, "address" varchar(255) NOT NULL, "lock_key" integer NOT NULL, "started_at" bigint NOT NULL, "heard_at" bigint NOT NULL, "stopped_at" bigint, "work" text NOT NULL)`,
    );
    await db.query(
      `CREATE TABLE "cluster_shards" ("shard" integer PRIMARY KEY NOT NULL, "owner" varchar(64), "epoch" bigint NOT NULL, "lease_until" bigint NOT NULL)`,
    );
    await db.query(
      `CREATE TABLE "heartbeat_inbox" ("id" varchar(64) PRIMARY KEY NOT NULL, "shard" integer NOT NULL, "name" varchar(255) NOT NULL, "command" varchar(16) NOT NULL, "at" bigint NOT NULL, "first_at" bigint NOT NULL, "count" integer NOT NULL DEFAULT (1), "timeout_ms" bigint, "min_interval_ms" bigint, "transport" varchar(8) NOT NULL)`,
    );
    await db.query(`CREATE INDEX "IDX_heartbeat_inbox_shard" ON "heartbeat_inbox" ("shard", "id") `);
    await db.query(`ALTER TABLE "alert_deliveries" ADD COLUMN "event_key" varchar(64)`);
    await db.query(`CREATE UNIQUE INDEX "IDX_alert_deliveries_event" ON "alert_deliveries" ("event_key", "target_key") `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "IDX_alert_deliveries_event"`);
    await db.query(`ALTER TABLE "alert_deliveries" DROP COLUMN "event_key"`);
    await db.query(`DROP INDEX "IDX_heartbeat_inbox_shard"`);
    await db.query(`DROP TABLE "heartbeat_inbox"`);
    await db.query(`DROP TABLE "cluster_shards"`);
    await db.query(`DROP TABLE "cluster_servers"`);
  }
}
