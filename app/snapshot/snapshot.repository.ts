import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

@Injectable()
export class SnapshotRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A consistent copy of the SQLite database in one file (readers and writers may go on meanwhile). */
  async copyInto(file: string): Promise<void> {
    await this.dataSource.query('VACUUM INTO ?', [file]);
  }
}
