import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryResult } from 'typeorm';
import { ServerMeta } from './server-meta.entity.js';

@Injectable()
export class ServerMetaRepository {
  constructor(private readonly dataSource: DataSource) {}

  async get(key: string): Promise<string | null> {
    const row = await this.dataSource.getRepository(ServerMeta).findOneBy({ key });
    return row?.value ?? null;
  }

  /**
   * Inserts the key unless it exists; true when this call inserted it. Several servers sharing one
   * PostgreSQL race here safely: the primary key lets exactly one of them win.
   */
  async claim(key: string, value: string, manager?: EntityManager): Promise<boolean> {
    const [first, second] = this.dataSource.options.type === 'postgres' ? ['$1', '$2'] : ['?', '?'];
    const sql = `INSERT INTO "server_meta" ("key", "value") VALUES (${first}, ${second}) ON CONFLICT ("key") DO NOTHING`;
    const runner = manager?.queryRunner ?? this.dataSource.createQueryRunner();
    try {
      const result = (await runner.query(sql, [key, value], true)) as QueryResult;
      return (result.affected ?? 0) > 0;
    } finally {
      if (!manager?.queryRunner) await runner.release();
    }
  }
}
