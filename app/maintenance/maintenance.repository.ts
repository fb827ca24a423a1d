import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { MaintenanceWindowRow } from './maintenance-window.entity.js';
import type { MaintenanceWindow } from './maintenance-window.js';

@Injectable()
export class MaintenanceRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo(): Repository<MaintenanceWindowRow> {
    return this.dataSource.getRepository(MaintenanceWindowRow);
  }

  async list(): Promise<MaintenanceWindow[]> {
    return (await this.repo.find({ order: { id: 'ASC' } })).map(toWindow);
  }

  async find(id: number): Promise<MaintenanceWindow | null> {
    const row = await this.repo.findOneBy({ id });
    return row ? toWindow(row) : null;
  }

  async insert(window: Omit<MaintenanceWindow, 'id'>, now: number): Promise<MaintenanceWindow> {
    return toWindow(await this.repo.save(this.repo.create({ ...toColumns(window), createdAt: now })));
  }

  async update(id: number, window: Omit<MaintenanceWindow, 'id'>): Promise<void> {
    await this.repo.update({ id }, toColumns(window));
  }

  async remove(id: number): Promise<boolean> {
    return ((await this.repo.delete({ id })).affected ?? 0) > 0;
  }
}

function toColumns(window: Omit<MaintenanceWindow, 'id'>): Omit<MaintenanceWindowRow, 'id' | 'createdAt'> {
  return {
    name: window.name,
    startsAt: window.startsAt,
    endsAt: window.endsAt,
    cron: window.cron,
    durationMin: window.durationMin,
    timezone: window.timezone,
    all: window.all,
    monitorIds: JSON.stringify(window.monitorIds),
    services: window.services,
    agentIds: JSON.stringify(window.agentIds),
  };
}

function toWindow(row: MaintenanceWindowRow): MaintenanceWindow {
  return {
    id: row.id,
    name: row.name,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    cron: row.cron,
    durationMin: row.durationMin,
    timezone: row.timezone,
    all: row.all,
    monitorIds: JSON.parse(row.monitorIds) as number[],
    services: row.services,
    agentIds: JSON.parse(row.agentIds) as number[],
  };
}
