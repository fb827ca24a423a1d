import { Injectable } from '@nestjs/common';
import { DataSource, LessThan, type Repository } from 'typeorm';
import { ConsoleSession } from './console-session.entity.js';

/** The only TypeORM user for console sessions. */
@Injectable()
export class SessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo(): Repository<ConsoleSession> {
    return this.dataSource.getRepository(ConsoleSession);
  }

  async insert(session: ConsoleSession): Promise<void> {
    await this.repo.insert(session);
  }

  findByIdHash(idHash: string): Promise<ConsoleSession | null> {
    return this.repo.findOneBy({ idHash });
  }

  async touch(idHash: string, at: number): Promise<void> {
    await this.repo.update({ idHash }, { lastSeenAt: at });
  }

  async delete(idHash: string): Promise<void> {
    await this.repo.delete({ idHash });
  }

  /** Removes sessions idle since before `idleBefore` or started before `startedBefore`; returns how many. */
  async deleteExpired(idleBefore: number, startedBefore: number): Promise<number> {
    const idle = await this.repo.delete({ lastSeenAt: LessThan(idleBefore) });
    const old = await this.repo.delete({ createdAt: LessThan(startedBefore) });
    return (idle.affected ?? 0) + (old.affected ?? 0);
  }
}
