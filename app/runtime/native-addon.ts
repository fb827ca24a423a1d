import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seaApi } from './sea.js';

/**
 * Native addons inside the single executable are SEA assets. `process.dlopen` needs a file, so the
 * asset is written once to a content-addressed cache directory and loaded from there. The directory
 * must not be mounted noexec: PULSE_NATIVE_CACHE overrides the default (the systemd unit points it
 * into the state directory).
 *
 * Returns null when not running as a single executable: the caller then loads the addon the usual way.
 */
export function loadEmbeddedAddon(assetName: string, cacheDir?: string): unknown {
  const sea = seaApi();
  if (!sea) return null;
  const bytes = Buffer.from(sea.getAsset(assetName));
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const dir = path.join(cacheDir ?? os.tmpdir(), `lillydoo-pulse-native-${digest}`);
  const file = path.join(dir, assetName);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, bytes, { mode: 0o755 });
    renameSync(partial, file); // atomic, so two processes starting together never load half a file
  }
  const mod = { exports: {} as unknown };
  process.dlopen(mod as { exports: object }, file);
  return mod.exports;
}
