import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several servers on one database (SPEC §12): the servers and their shard leases, the inbox of heartbeat
 * commands taken for services another server decides for, and an alert's event key (queued once).
 */
export class ClusterPostgres1764600000000 implements MigrationInterface {
  name = 'ClusterPostgres1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "cluster_servers" ("id" character varying(64) NOT NULL, "name" character varying(255) NOT NULL, "host" character varying(255) NOT NULL, "pid" integer NOT NULL, "version" character varying(64) NOT NULL, "address" character varying(255) NOT NULL, "lock_key" integer NOT NULL, "started_at" bigint NOT NULL, "heard_at" bigint NOT NULL, "stopped_at" bigint, "work" text NOT NULL, CONSTRAINT "PK_cluster_servers" PRIMARY KEY ("id"))`,
    );
    await db.query(
      `CREATE TABLE "cluster_shards" ("shard" integer NOT NULL, "owner" character varying(64), "epoch" bigint NOT NULL, "lease_until" bigint NOT NULL, CONSTRAINT "PK_cluster_shards" PRIMARY KEY ("shard"))`,
    );
    await db.query(
      `CREATE TABLE "heartbeat_inbox" ("id" character varying(64) NOT NULL, "shard" integer NOT NULL, "name" character varying(255) NOT NULL, "command" character varying(16) NOT NULL, "at" bigint NOT NULL, "first_at" bigint NOT NULL, "count" integer NOT NULL DEFAULT '1', "timeout_ms" bigint, "min_interval_ms" bigint, "transport" character varying(8) NOT NULL, CONSTRAINT "PK_heartbeat_inbox" PRIMARY KEY ("id"))`,
    );
    await db.query(`CREATE INDEX "IDX_heartbeat_inbox_shard" ON "heartbeat_inbox"  ("shard", "id") `);
    await db.query(`ALTER TABLE "alert_deliveries" ADD "event_key" character varying(64)`);
    await db.query(`CREATE UNIQUE INDEX "IDX_alert_deliveries_event" ON "alert_deliveries"  ("event_key", "target_key") `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "public"."IDX_alert_deliveries_event"`);
    await db.query(`ALTER TABLE "alert_deliveries" DROP COLUMN "event_key"`);
    await db.query(`DROP INDEX "public"."IDX_heartbeat_inbox_shard"`);
    await db.query(`DROP TABLE "heartbeat_inbox"`);
    await db.query(`DROP TABLE "cluster_shards"`);
    await db.query(`DROP TABLE "cluster_servers"`);
  }
}
