import path from 'node:path';

interface TestEventData {
  name: string;
  nesting: number;
  file?: string;
  skip?: boolean | string;
  todo?: boolean | string;
  details?: { type?: string; error?: ErrorWithCause };
}

interface ErrorWithCause extends Error {
  failureType?: string;
  cause?: unknown;
}

interface Problem {
  file: string;
  name: string;
  cause: string;
}

/** The first line of what went wrong, without the runner's wrapping. */
function causeOf(error: ErrorWithCause | undefined): string {
  const inner = error?.cause instanceof Error ? error.cause : error;
  const text = inner instanceof Error ? inner.message : String(inner ?? 'unknown');
  return text.split('\n').find((line) => line.trim() !== '') ?? text;
}

/**
 * What `npm test` prints last: each failed test with its cause, each cancelled test with the failure
 * that cancelled it (a hook or the file around it — node:test itself only says "cancelled"), and the
 * skipped tests grouped by the reason they give.
 */
export class TestSummary {
  private readonly failed: Problem[] = [];
  private readonly cancelled: (Problem & { parentCause?: string })[] = [];
  private readonly skipped = new Map<string, number>();
  private readonly fileCause = new Map<string, string>();
  private passed = 0;

  constructor(private readonly root: string) {}

  listen(stream: NodeJS.EventEmitter): void {
    stream.on('test:pass', (data: TestEventData) => {
      // A skipped suite is reported once, as the suite (its tests are not listed).
      if (data.skip !== undefined && data.skip !== false) {
        const reason = typeof data.skip === 'string' ? data.skip : 'skipped without a reason';
        const label = `${reason}${data.details?.type === 'suite' ? ` (suite "${data.name}")` : ''}`;
        this.skipped.set(label, (this.skipped.get(label) ?? 0) + 1);
      } else if (data.details?.type !== 'suite') this.passed++;
    });
    stream.on('test:fail', (data: TestEventData) => {
      const file = path.relative(this.root, data.file ?? '') || '?';
      const error = data.details?.error;
      const failureType = error?.failureType;
      if (failureType === 'cancelledByParent') {
        this.cancelled.push({ file, name: data.name, cause: causeOf(error) });
        return;
      }
      // A failing hook or file cancels the tests under it: remember why, for them.
      if (failureType === 'hookFailed' || data.details?.type === 'suite' || data.nesting === 0) {
        if (!this.fileCause.has(file)) this.fileCause.set(file, `${data.name}: ${causeOf(error)}`);
      }
      // A suite fails when a test or hook in it fails: only a failing hook is news beyond its tests.
      if (data.details?.type === 'suite' && failureType !== 'hookFailed') return;
      this.failed.push({ file, name: data.name, cause: causeOf(error) });
    });
  }

  get ok(): boolean {
    return this.failed.length === 0 && this.cancelled.length === 0;
  }

  render(fileCount: number): string {
    const lines = [
      '',
      `${this.passed} passed, ${this.failed.length} failed, ${this.cancelled.length} cancelled, ${this.skippedCount} skipped (${fileCount} spec files)`,
    ];
    for (const problem of this.failed) lines.push(`  ✖ failed: ${problem.file} › ${problem.name}: ${problem.cause}`);
    for (const problem of this.cancelled) {
      const because = this.fileCause.get(problem.file) ?? problem.cause;
      lines.push(`  ✖ cancelled: ${problem.file} › ${problem.name}, because ${because}`);
    }
    for (const [reason, count] of this.skipped) lines.push(`  - skipped ${count}: ${reason}`);
    if (this.ok) lines.push(`all ${fileCount} spec files passed`);
    return lines.join('\n');
  }

  private get skippedCount(): number {
    return [...this.skipped.values()].reduce((sum, count) => sum + count, 0);
  }
}
