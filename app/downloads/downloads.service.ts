import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DownloadsSection, ServerConfig } from '../config/config.schema.js';
import { ApiError } from '../http/api-error.js';
import { projectRoot, readProjectFile } from '../runtime/project-files.js';
import { ROLES } from '../runtime/roles.js';
import { isSingleExecutable } from '../runtime/sea.js';
import { checksumLine, DOWNLOAD_ARCHES, parseDownloadName } from './download-names.js';
import { renderInstaller, type InstallerSources } from './installer-script.js';

export type InstallerRole = 'agent' | 'poller';

/** Where the lillydoo-pulse-downloads package puts the executables: the single executable's default. */
export const PACKAGED_DOWNLOADS_DIR = '/usr/lib/lillydoo-pulse/downloads';

/** How the client reached the server (Fastify's view, X-Forwarded-* believed from trusted proxies only). */
export interface RequestOrigin {
  protocol: string;
  host: string;
}

export interface DownloadFile {
  stream: ReadStream;
  size: number;
}

/** A Host header that is only a name or address and a port (nothing a script could take for code). */
const PLAIN_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * SPEC §9: the curl-piped installers and the executables they download. The executables are read from
 * `[downloads] dir` at each request (a package upgrade replaces them under a running server); their
 * SHA-256 comes from the `.sha256` file beside them, or is computed once per file version.
 */
@Injectable()
export class DownloadsService {
  readonly dir: string;
  private readonly sources = new Map<InstallerRole, InstallerSources>();
  private readonly checksums = new Map<string, { version: string; hex: Promise<string> }>();

  constructor(
    section: DownloadsSection,
    private readonly config: ServerConfig,
  ) {
    this.dir = section.dir || (isSingleExecutable() ? PACKAGED_DOWNLOADS_DIR : path.join(projectRoot, 'dist', 'bin'));
  }

  /** The installer for `role`, with `public_url` (else the address this request came to) as its default --server. */
  installer(role: InstallerRole, origin: RequestOrigin): string {
    return renderInstaller(this.sourcesOf(role), { defaultServer: this.defaultServer(origin) });
  }

  defaultServer(origin: RequestOrigin): string | null {
    if (this.config.public_url) return this.config.public_url.replace(/\/+$/, '');
    if (!PLAIN_HOST.test(origin.host) || !/^https?$/.test(origin.protocol)) return null;
    return `${origin.protocol}://${origin.host}`;
  }

  /** `/downloads/<name>` for an executable: the open file, or a 404 saying how to get it onto the server. */
  async executable(name: string): Promise<DownloadFile> {
    const file = this.fileOf(name, false);
    const size = await this.sizeOf(file);
    return { stream: createReadStream(path.join(this.dir, file)), size };
  }

  /** `/downloads/<name>.sha256`: the file beside the executable, or its digest in sha256sum's format. */
  async checksum(name: string): Promise<string> {
    const file = this.fileOf(name, true);
    const beside = await readFile(path.join(this.dir, `${file}.sha256`), 'utf8').catch(() => null);
    if (beside !== null) return beside;
    const info = await stat(path.join(this.dir, file)).catch(() => null);
    if (!info?.isFile()) throw this.missing(file);
    const version = `${info.size}:${info.mtimeMs}:${info.ino}`;
    let cached = this.checksums.get(file);
    if (cached?.version !== version) {
      cached = { version, hex: digestOf(path.join(this.dir, file)) };
      this.checksums.set(file, cached);
      cached.hex.catch(() => this.checksums.delete(file));
    }
    return checksumLine(await cached.hex, file);
  }

  private fileOf(name: string, checksum: boolean): string {
    const parsed = parseDownloadName(name);
    if (!parsed || parsed.checksum !== checksum) {
      const executables = Object.values(ROLES).map((role) => role.executable);
      throw ApiError.notFound(
        `There is no download "${name.slice(0, 100)}". Downloads are ${executables.join(', ')} as <executable>-linux-<${DOWNLOAD_ARCHES.join('|')}> and <executable>-linux-<arch>.sha256.`,
      );
    }
    return parsed.file;
  }

  private async sizeOf(file: string): Promise<number> {
    const info = await stat(path.join(this.dir, file)).catch(() => null);
    if (!info?.isFile()) throw this.missing(file);
    return info.size;
  }

  private missing(file: string): ApiError {
    return ApiError.notFound(
      `${file} is not on this server. Install the lillydoo-pulse-downloads package on it, or build the executables with ` +
        '`npm run build:binaries` (arm64 needs g++-aarch64-linux-gnu) and set [downloads] dir to that dist/bin.',
    );
  }

  private sourcesOf(role: InstallerRole): InstallerSources {
    let sources = this.sources.get(role);
    if (!sources) {
      sources = {
        roleScript: readProjectFile(`installers/${role}/install.sh`).toString('utf8'),
        common: readProjectFile('installers/common.sh').toString('utf8'),
        unit: readProjectFile(`appliance/systemd/${ROLES[role].executable}.service`).toString('utf8'),
      };
      this.sources.set(role, sources);
    }
    return sources;
  }
}

function digestOf(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
