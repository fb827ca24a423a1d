import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { AgentCleanupService } from '../../app/agents/agent-cleanup.service.js';
import { bucketDeltas, mergeMetricDeltas, seriesOf } from '../../app/agents/agent-history.js';
import { AgentRepository } from '../../app/agents/agent.repository.js';
import type { AgentSample } from '../../app/agents/agent-sample.entity.js';
import { AgentsSection } from '../../app/config/config.schema.js';
import { Clock } from '../../app/runtime/clock.js';
import { createTestDatabase, databaseKinds, openDataSource, type TestDatabase } from '../support/databases.js';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const DAY = 86_400_000;

class FixedClock extends Clock {
  constructor(public time: number) {
    super();
  }
  override now(): number {
    return this.time;
  }
}

function sample(agentId: number, at: number, cpu: number, disk = 40): AgentSample {
  const report = {
    hostname: 'web1',
    collected_at: new Date(at).toISOString(),
    cpu: { percent: cpu },
    disks: [{ mount: '/var', fs: 'ext4', size: 100, used: disk, percent: disk }],
  };
  return { agentId, collectedAt: at, at, receivedAt: at + 100, report: JSON.stringify(report) };
}

for (const kind of databaseKinds()) {
  describe(`agent storage on ${kind}`, () => {
    let database: TestDatabase;
    let dataSource: DataSource;
    let agents: AgentRepository;

    before(async () => {
      database = await createTestDatabase(kind);
      dataSource = await openDataSource(database);
      agents = new AgentRepository(dataSource);
    });
    after(async () => {
      await dataSource.destroy();
      await database.dispose();
    });

    /** Writes a batch as the runtime does: bucket deltas only for the reports that were new. */
    const write = (samples: AgentSample[]) =>
      agents.writeBatch(
        samples,
        (inserted) =>
          mergeMetricDeltas(
            samples
              .filter((item) => inserted.has(`${item.agentId}|${item.collectedAt}`))
              .flatMap((item) => bucketDeltas(item.agentId, item.at, seriesOf(JSON.parse(item.report)))),
          ),
        [],
      );

    it('stores each report once: a replayed one is neither stored nor counted in the buckets again', async () => {
      const agent = await agents.insert({ tokenId: 11, hostname: 'web1', os: '', intervalS: 30, at: T0 });
      const first = [sample(agent.id, T0, 20), sample(agent.id, T0 + 30_000, 60, 93)];
      assert.deepEqual([...(await write(first))].sort(), [`${agent.id}|${T0}`, `${agent.id}|${T0 + 30_000}`]);
      const replay = [...first, sample(agent.id, T0 + 60_000, 10)];
      assert.deepEqual([...(await write(replay))], [`${agent.id}|${T0 + 60_000}`]);
      assert.equal(await agents.countSamples(agent.id), 3);

      const minute = await agents.buckets(agent.id, 'minute', T0, T0 + 120_000, ['cpu.percent']);
      assert.deepEqual(
        minute.map((bucket) => [bucket.bucketStart - T0, bucket.samples, bucket.sum, bucket.max]),
        [
          [0, 2, 80, 60],
          [60_000, 1, 10, 10],
        ],
      );
      const hour = await agents.buckets(agent.id, 'hour', T0, T0, []);
      const disk = hour.find((bucket) => bucket.metric === 'disks.percent')!;
      assert.deepEqual([disk.series, disk.samples, disk.sum, disk.max], ['/var', 3, 173, 93]);
    });

    it('keeps one agent per token and deletes an agent with its reports and buckets', async () => {
      const agent = await agents.insert({ tokenId: 12, hostname: 'db1', os: '', intervalS: 30, at: T0 });
      await assert.rejects(agents.insert({ tokenId: 12, hostname: 'db2', os: '', intervalS: 30, at: T0 }));
      await write([sample(agent.id, T0, 5)]);
      await agents.delete(agent.id);
      assert.equal(await agents.findById(agent.id), null);
      assert.equal(await agents.countSamples(agent.id), 0);
      assert.deepEqual(await agents.buckets(agent.id, 'hour', 0, T0 + DAY, []), []);
    });

    it('removes reports and buckets past their retention', async () => {
      const agent = await agents.insert({ tokenId: 13, hostname: 'old1', os: '', intervalS: 30, at: T0 });
      await write([sample(agent.id, T0 - 10 * DAY, 5), sample(agent.id, T0 - DAY, 5)]);
      const cleanup = new AgentCleanupService(agents, new AgentsSection(), new FixedClock(T0));
      const removed = await cleanup.cleanUp();
      assert.ok(removed.samples >= 1 && removed.buckets >= 1, JSON.stringify(removed));
      assert.equal(await agents.countSamples(agent.id), 1);
      assert.deepEqual(
        (await agents.buckets(agent.id, 'minute', 0, T0, ['cpu.percent'])).map((bucket) => bucket.bucketStart),
        [T0 - DAY],
      );
    });
  });
}
