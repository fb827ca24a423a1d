import assert from 'node:assert/strict';
import { readFileSync, statfsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { DiskCollector, diskUsage } from './disk.collector.js';
import { PSEUDO_FILESYSTEMS } from './pseudo-filesystems.js';

const context = () => createPluginContext({ timeoutMs: 20_000, logger: { debug() {}, info() {}, warn() {} } });

type Row = { mount: string; fs: string; size?: number; used?: number; percent?: number };

function rows(samples: { metric: string; value: number; labels?: Record<string, string> }[]): Row[] {
  const byMount = new Map<string, Row>();
  for (const sample of samples) {
    const row = byMount.get(sample.labels!.mount!) ?? { mount: sample.labels!.mount!, fs: sample.labels!.fs! };
    row[sample.metric.slice('disks.'.length) as 'size' | 'used' | 'percent'] = sample.value;
    byMount.set(row.mount, row);
  }
  return [...byMount.values()];
}

/** Mount points and types of /proc/mounts. */
function mounts(): { mount: string; type: string }[] {
  return readFileSync('/proc/mounts', 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .map(([, mount, type]) => ({ mount: mount!.replace(/\\040/g, ' '), type: type! }));
}

describe('disk collector (this machine)', () => {
  it('reports the root file system with the size, used space and percent statfs gives', async () => {
    const disks = rows(await new DiskCollector().collect({ disks_exclude: [] }, context()));
    const root = disks.find((disk) => disk.mount === '/');
    assert.ok(root, `/ is reported: ${JSON.stringify(disks)}`);
    assert.equal(root.fs, mounts().findLast((mount) => mount.mount === '/')!.type);
    const stats = statfsSync('/');
    assert.equal(root.size, stats.blocks * stats.bsize);
    const used = (stats.blocks - stats.bfree) * stats.bsize;
    // Other processes write meanwhile: allow 1 % of the disk.
    assert.ok(Math.abs(root.used! - used) < 0.01 * root.size!, `used ${root.used} vs statfs ${used}`);
    const percent = (100 * used) / (used + stats.bavail * stats.bsize);
    assert.ok(Math.abs(root.percent! - percent) < 1, `percent ${root.percent} vs statfs ${percent.toFixed(2)}`);
  });

  it('leaves out pseudo file systems (here: proc, sysfs, tmpfs, devtmpfs, cgroup mounts)', async () => {
    const reported = new Set(rows(await new DiskCollector().collect({ disks_exclude: [] }, context())).map((disk) => disk.mount));
    const pseudo = mounts().filter((mount) => PSEUDO_FILESYSTEMS.has(mount.type));
    assert.ok(
      pseudo.some((mount) => mount.type === 'proc'),
      'this machine has pseudo mounts to leave out',
    );
    for (const mount of pseudo) assert.ok(!reported.has(mount.mount) || mount.mount === '/', `${mount.mount} (${mount.type}) is left out`);
    for (const disk of rows(await new DiskCollector().collect({ disks_exclude: [] }, context())))
      assert.ok(!PSEUDO_FILESYSTEMS.has(disk.fs), `${disk.mount} is a ${disk.fs}`);
  });

  it('leaves out the mount points disks_exclude names', async () => {
    const disks = rows(await new DiskCollector().collect({ disks_exclude: ['/'] }, context()));
    assert.ok(!disks.some((disk) => disk.mount === '/'));
  });

  it('keeps a device mounted twice (a bind mount) once, at its shortest mount point', () => {
    const disk = (fs: string, mount: string, type = 'ext4') => ({
      fs,
      type,
      mount,
      size: 1000,
      used: 250,
      available: 750,
      use: 25,
      rw: true,
    });
    assert.deepEqual(
      diskUsage(
        [
          disk('/dev/sda1', '/var/lib/docker/x'),
          disk('/dev/sda1', '/'),
          disk('tmpfs', '/run', 'tmpfs'),
          disk('/dev/sdb', '/snap/core', 'ext4'),
        ],
        ['/snap/*'],
      ),
      [{ mount: '/', fs: 'ext4', size: 1000, used: 250, percent: 25 }],
    );
  });
});
