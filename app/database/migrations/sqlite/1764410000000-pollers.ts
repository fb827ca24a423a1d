import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Registered network pollers: token binding, liveness, version and outbox figures. */
export class PollersSqlite1764410000000 implements MigrationInterface {
  name = 'PollersSqlite1764410000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "pollers" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(200) NOT NULL, "location" varchar(200) NOT NULL DEFAULT (''), "token_id" integer NOT NULL, "version" varchar(64) NOT NULL DEFAULT (''), "alerts" text NOT NULL, "offline" boolean NOT NULL DEFAULT (0), "last_seen_at" bigint, "state_changed_at" bigint, "outbox_queued" bigint NOT NULL DEFAULT (0), "outbox_dropped" bigint NOT NULL DEFAULT (0), "outbox_reported_at" bigint, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL)`,
    );
    await db.query(`CREATE UNIQUE INDEX "IDX_pollers_name" ON "pollers" ("name")`);
    await db.query(`CREATE UNIQUE INDEX "IDX_pollers_token" ON "pollers" ("token_id")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "IDX_pollers_token"`);
    await db.query(`DROP INDEX "IDX_pollers_name"`);
    await db.query(`DROP TABLE "pollers"`);
  }
}
