import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ConsoleSessionsSqlite1764300000000 implements MigrationInterface {
  name = 'ConsoleSessionsSqlite1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "console_sessions" ("id_hash" varchar(64) PRIMARY KEY NOT NULL, "token_id" integer NOT NULL, ` +
        `"token_secret_hash" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "last_seen_at" bigint NOT NULL)`,
    );
    await db.query(`CREATE INDEX "IDX_console_sessions_token_id" ON "console_sessions" ("token_id")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "IDX_console_sessions_token_id"`);
    await db.query(`DROP TABLE "console_sessions"`);
  }
}
