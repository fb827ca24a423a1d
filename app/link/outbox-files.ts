import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/*
 * The outbox's files, as DiskOutbox (disk-outbox.ts) lays them out in its directory: segment files of
 * `<enqueued-at ms>\t<item JSON>\n` lines, and state.json, replaced atomically. Only reading and writing
 * them is here; what the positions mean, and when files go, is DiskOutbox's.
 */

const STATE_FILE = 'state.json';
const SEGMENT_PATTERN = /^(\d{20})\.seg$/;
export const READ_CHUNK = 256 * 1024;
export const NEWLINE = 0x0a;

export const segmentName = (seq: number) => `${String(seq).padStart(20, '0')}.seg`;

export interface OutboxState {
  /** The first byte not yet acknowledged. */
  segment: number;
  offset: number;
  /** Items dropped in all. */
  dropped: number;
}

/** The sequence numbers of the segment files in `dir`, oldest first. */
export function listSegments(dir: string): number[] {
  return readdirSync(dir)
    .map((name) => SEGMENT_PATTERN.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
}

/** The saved state; a new outbox, or an unreadable state, starts from the oldest segment. */
export function readOutboxState(dir: string): OutboxState {
  try {
    const raw = JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8')) as Record<string, unknown>;
    const whole = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null);
    const segment = whole(raw.segment);
    const offset = whole(raw.offset);
    if (segment !== null && offset !== null) return { segment, offset, dropped: whole(raw.dropped) ?? 0 };
  } catch {
    // no state yet (a new outbox) or an unreadable one
  }
  return { segment: 0, offset: 0, dropped: 0 };
}

/** Replaces state.json atomically: a temporary file, fdatasync, rename. */
export function writeOutboxState(dir: string, state: OutboxState): void {
  const file = path.join(dir, STATE_FILE);
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeFully(fd, Buffer.from(JSON.stringify({ segment: state.segment, offset: state.offset, dropped: state.dropped })));
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}

/** Lines (newlines) in the segment between `from` and `size`. */
export function countLines(fd: number, from: number, size: number): number {
  let lines = 0;
  for (let offset = from; offset < size; offset += READ_CHUNK) {
    const chunk = readAt(fd, offset, Math.min(READ_CHUNK, size - offset));
    for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) lines++;
  }
  return lines;
}

export function parseLine(line: string): { at: number; json: string } | null {
  const tab = line.indexOf('\t');
  if (tab <= 0) return null;
  const at = Number(line.slice(0, tab));
  const json = line.slice(tab + 1);
  if (!Number.isSafeInteger(at)) return null;
  try {
    JSON.parse(json);
  } catch {
    return null;
  }
  return { at, json };
}

export function readAt(fd: number, offset: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const count = readSync(fd, buffer, read, length - read, offset + read);
    if (count === 0) break;
    read += count;
  }
  return read === length ? buffer : buffer.subarray(0, read);
}

export function writeFully(fd: number, data: Buffer): void {
  for (let written = 0; written < data.length;) written += writeSync(fd, data, written, data.length - written);
}

/** Cuts a last line without its newline (a write cut short by a power loss); returns the new size. */
export function cutTornTail(fd: number, size: number): number {
  let end = size;
  while (end > 0) {
    const from = Math.max(0, end - READ_CHUNK);
    const chunk = readAt(fd, from, end - from);
    const newline = chunk.lastIndexOf(NEWLINE);
    if (newline >= 0) {
      const keep = from + newline + 1;
      if (keep < size) ftruncateSync(fd, keep);
      return keep;
    }
    end = from;
  }
  ftruncateSync(fd, 0);
  return 0;
}

/** Enqueue time of the last line; the file's modification time when that line is longer than a chunk. */
export function lastLineTime(fd: number, size: number): number {
  const from = Math.max(0, size - READ_CHUNK);
  const lines = readAt(fd, from, size - from)
    .toString('utf8')
    .split('\n');
  const whole = from === 0 || lines.length >= 3;
  const last = lines[lines.length - 2] ?? '';
  const tab = last.indexOf('\t');
  const at = tab > 0 ? Number(last.slice(0, tab)) : NaN;
  return whole && Number.isSafeInteger(at) ? at : Math.round(fstatSync(fd).mtimeMs);
}
