import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FoundationSqlite1763800000000 implements MigrationInterface {
  name = 'FoundationSqlite1763800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE TABLE "server_meta" ("key" varchar(64) PRIMARY KEY NOT NULL, "value" text NOT NULL)`);
    await db.query(
      `CREATE TABLE "api_tokens" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(100) NOT NULL, ` +
        `"type" varchar(16) NOT NULL, "secret_hash" varchar(64) NOT NULL, "hint" varchar(8) NOT NULL, "created_at" bigint NOT NULL, ` +
        `"expires_at" bigint, "revoked_at" bigint, "last_used_at" bigint)`,
    );
    await db.query(`CREATE UNIQUE INDEX "IDX_api_tokens_secret_hash" ON "api_tokens" ("secret_hash")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "IDX_api_tokens_secret_hash"`);
    await db.query(`DROP TABLE "api_tokens"`);
    await db.query(`DROP TABLE "server_meta"`);
  }
}
