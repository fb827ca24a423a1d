import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Registered network pollers: token binding, liveness, version and outbox figures. */
export class PollersPostgres1764410000000 implements MigrationInterface {
  name = 'PollersPostgres1764410000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "pollers" ("id" SERIAL NOT NULL, "name" character varying(200) NOT NULL, "location" character varying(200) NOT NULL DEFAULT '', "token_id" integer NOT NULL, "version" character varying(64) NOT NULL DEFAULT '', "alerts" text NOT NULL, "offline" boolean NOT NULL DEFAULT false, "last_seen_at" bigint, "state_changed_at" bigint, "outbox_queued" bigint NOT NULL DEFAULT '0', "outbox_dropped" bigint NOT NULL DEFAULT '0', "outbox_reported_at" bigint, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "PK_pollers" PRIMARY KEY ("id"))`,
    );
    await db.query(`CREATE UNIQUE INDEX "IDX_pollers_name" ON "pollers"  ("name")`);
    await db.query(`CREATE UNIQUE INDEX "IDX_pollers_token" ON "pollers"  ("token_id")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "public"."IDX_pollers_token"`);
    await db.query(`DROP INDEX "public"."IDX_pollers_name"`);
    await db.query(`DROP TABLE "pollers"`);
  }
}
