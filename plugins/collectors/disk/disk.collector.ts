import { Injectable } from '@nestjs/common';
import si, { type Systeminformation } from 'systeminformation';
import { Collector, globMatcher, type CollectorPlugin, type MetricSample, type PluginContext } from '../../../app/plugin-host/index.js';
import { DiskConfig } from './disk.config.js';
import { diskForm } from './disk.form.js';
import { PSEUDO_FILESYSTEMS } from './pseudo-filesystems.js';

export interface DiskUsage {
  mount: string;
  fs: string;
  size: number;
  used: number;
  percent: number;
}

/**
 * `disks.size`, `disks.used` (bytes) and `disks.percent`, one of each per file system, labelled with its
 * `mount` and its type `fs` (systeminformation's fsSize, from `df`). Percent is used / (used + available),
 * as df shows it: the blocks reserved for root count as not available. Pseudo file systems are left out,
 * then the `disks_exclude` globs; a device mounted at several places (bind mounts) is reported once, at
 * its shortest mount point.
 */
@Collector({ id: 'disk', title: 'Disks', config: DiskConfig, example: { disks_exclude: ['/snap/*', '/mnt/backup'] }, form: diskForm })
@Injectable()
export class DiskCollector implements CollectorPlugin<DiskConfig> {
  async collect(config: DiskConfig, context: PluginContext): Promise<MetricSample[]> {
    const filesystems = await si.fsSize();
    context.signal.throwIfAborted();
    return diskUsage(filesystems, config.disks_exclude).flatMap((disk) => {
      const labels = { mount: disk.mount, fs: disk.fs };
      return [
        { metric: 'disks.size', value: disk.size, labels },
        { metric: 'disks.used', value: disk.used, labels },
        { metric: 'disks.percent', value: disk.percent, labels },
      ];
    });
  }
}

/** The file systems worth reporting, sorted by mount point. */
export function diskUsage(filesystems: Systeminformation.FsSizeData[], exclude: readonly string[]): DiskUsage[] {
  const excluded = globMatcher(exclude);
  const byDevice = new Map<string, DiskUsage>();
  for (const filesystem of filesystems) {
    const type = filesystem.type.toLowerCase();
    if (PSEUDO_FILESYSTEMS.has(type) || excluded(filesystem.mount) || !(filesystem.size > 0)) continue;
    const available = filesystem.available ?? filesystem.size - filesystem.used;
    const percent = filesystem.used + available > 0 ? Math.round((10_000 * filesystem.used) / (filesystem.used + available)) / 100 : 0;
    const disk = { mount: filesystem.mount, fs: type, size: filesystem.size, used: filesystem.used, percent };
    // A bind mount repeats its device's figures: keep the device once, where it is mounted first in the tree.
    const device = filesystem.fs.startsWith('/') ? `${filesystem.fs}|${filesystem.size}` : `${filesystem.fs}|${filesystem.mount}`;
    const known = byDevice.get(device);
    if (!known || disk.mount.length < known.mount.length) byDevice.set(device, disk);
  }
  return [...byDevice.values()].sort((a, b) => a.mount.localeCompare(b.mount));
}
