import { ROLES } from '../runtime/roles.js';

/** The architectures the executables are built for, as the downloads name them (Node's names). */
export const DOWNLOAD_ARCHES = ['x64', 'arm64'] as const;

export interface DownloadName {
  /** The executable's file name in the downloads directory: `lillydoo-pulse-agent-linux-x64`. */
  file: string;
  /** The `.sha256` beside it was asked for, not the executable. */
  checksum: boolean;
}

const EXECUTABLES = Object.values(ROLES).map((role) => role.executable);
const PATTERN = new RegExp(`^((?:${EXECUTABLES.join('|')})-linux-(?:${DOWNLOAD_ARCHES.join('|')}))(\\.sha256)?$`);

/** `/downloads/<name>`: one of the executables for one architecture, or its checksum; null for anything else. */
export function parseDownloadName(name: string): DownloadName | null {
  const match = PATTERN.exec(name);
  return match ? { file: match[1]!, checksum: match[2] !== undefined } : null;
}

/** sha256sum's format, so `sha256sum -c` checks a download saved next to it. */
export function checksumLine(hex: string, file: string): string {
  return `${hex}  ${file}\n`;
}
