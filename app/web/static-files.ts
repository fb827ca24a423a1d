import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { listProjectFiles, readProjectFile } from '../runtime/project-files.js';
import { VENDOR_FILES } from './vendor-files.js';

export interface StaticFile {
  /** Name with a content hash (`app.3f2a9c1d0b7e.css`), so it can be cached for a year and still change. */
  publicName: string;
  body: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Adds the content hash before the extension: `htmx.min.js` → `htmx.min.<hash>.js`. */
export function hashedName(name: string, body: Buffer): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const ext = path.extname(name);
  return `${name.slice(0, name.length - ext.length)}.${hash}${ext}`;
}

/** views/static/* and the vendored htmx scripts, read once at start and kept in memory (a few dozen KB). */
@Injectable()
export class StaticFiles {
  private readonly byLogicalName = new Map<string, StaticFile>();
  private readonly byPublicName = new Map<string, StaticFile>();

  constructor() {
    const sources: [string, string][] = [
      ...listProjectFiles('views/static')
        .filter((file) => !file.endsWith('.md'))
        .map((file): [string, string] => [path.posix.basename(file), file]),
      ...Object.entries(VENDOR_FILES),
    ];
    for (const [name, file] of sources) {
      const contentType = CONTENT_TYPES[path.extname(name)];
      if (!contentType) continue;
      const body = readProjectFile(file);
      const entry = { publicName: hashedName(name, body), body, contentType };
      this.byLogicalName.set(name, entry);
      this.byPublicName.set(entry.publicName, entry);
    }
  }

  /** The public (hashed) name of a static file; throws for a name that does not exist, so a typo fails at render. */
  publicName(name: string): string {
    const file = this.byLogicalName.get(name);
    if (!file) throw new Error(`no static file "${name}" (views/static or VENDOR_FILES)`);
    return file.publicName;
  }

  find(publicName: string): StaticFile | undefined {
    return this.byPublicName.get(publicName);
  }
}
