/**
 * Splits a TCP byte stream (decoded as latin1, so one char per byte) into lines across reads. A line
 * longer than `maxLineBytes` is reported once as too long and skipped up to its newline, so a client
 * cannot make the server buffer without bound.
 */
export class TcpLineReader {
  private partial = '';
  private skipping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: (start: string, length: number) => void,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf('\n', start);
      if (newline < 0) {
        this.hold(chunk.slice(start));
        return;
      }
      if (this.skipping) this.skipping = false;
      else this.complete(this.partial.length > 0 ? this.partial + chunk.slice(start, newline) : chunk.slice(start, newline));
      this.partial = '';
      start = newline + 1;
    }
  }

  /** The peer closed: a last line without a newline still counts. */
  end(): void {
    if (!this.skipping && this.partial.length > 0) this.complete(this.partial);
    this.partial = '';
    this.skipping = false;
  }

  private hold(rest: string): void {
    if (this.skipping || rest.length === 0) return;
    if (this.partial.length + rest.length > this.maxLineBytes) {
      this.onTooLong((this.partial + rest).slice(0, 200), this.partial.length + rest.length);
      this.partial = '';
      this.skipping = true;
      return;
    }
    this.partial += rest;
  }

  private complete(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.length === 0) return;
    if (text.length > this.maxLineBytes) this.onTooLong(text.slice(0, 200), text.length);
    else this.onLine(text);
  }
}
