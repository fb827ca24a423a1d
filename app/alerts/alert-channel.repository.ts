import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { AlertChannelRow } from './alert-channel.entity.js';

@Injectable()
export class AlertChannelRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo(): Repository<AlertChannelRow> {
    return this.dataSource.getRepository(AlertChannelRow);
  }

  list(): Promise<AlertChannelRow[]> {
    return this.repo.find({ order: { name: 'ASC' } });
  }

  findByName(name: string): Promise<AlertChannelRow | null> {
    return this.repo.findOneBy({ name });
  }

  async insert(row: Omit<AlertChannelRow, 'id'>): Promise<AlertChannelRow> {
    return this.repo.save(this.repo.create(row));
  }

  async update(name: string, changes: Pick<AlertChannelRow, 'type' | 'settings' | 'isDefault' | 'updatedAt'>): Promise<void> {
    await this.repo.update({ name }, changes);
  }

  async remove(name: string): Promise<boolean> {
    const result = await this.repo.delete({ name });
    return (result.affected ?? 0) > 0;
  }
}
