import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FoundationPostgres1763800000000 implements MigrationInterface {
  name = 'FoundationPostgres1763800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE TABLE "server_meta" ("key" character varying(64) NOT NULL, "value" text NOT NULL, CONSTRAINT "PK_server_meta" PRIMARY KEY ("key"))`,
    );
    await db.query(
      `CREATE TABLE "api_tokens" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "type" character varying(16) NOT NULL, ` +
        `"secret_hash" character varying(64) NOT NULL, "hint" character varying(8) NOT NULL, "created_at" bigint NOT NULL, ` +
        `"expires_at" bigint, "revoked_at" bigint, "last_used_at" bigint, CONSTRAINT "PK_api_tokens" PRIMARY KEY ("id"))`,
    );
    await db.query(`CREATE UNIQUE INDEX "IDX_api_tokens_secret_hash" ON "api_tokens" ("secret_hash")`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX "IDX_api_tokens_secret_hash"`);
    await db.query(`DROP TABLE "api_tokens"`);
    await db.query(`DROP TABLE "server_meta"`);
  }
}
