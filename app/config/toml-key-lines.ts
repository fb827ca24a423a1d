/**
 * Maps each key path of a TOML document ("http.listen", "alarms[1].pattern", "alerts.ops.mail") to the
 * line it is written on, so config warnings and errors can say where to look. smol-toml parses the
 * values; this only scans the text, which is enough for the one-key-per-line files people write.
 */
export function tomlKeyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const arrayCounts = new Map<string, number>();
  let table: string[] = [];

  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;

    const arrayHeader = /^\[\[\s*(.+?)\s*\]\]/.exec(line);
    if (arrayHeader) {
      const name = splitKey(arrayHeader[1]!).join('.');
      const position = (arrayCounts.get(name) ?? -1) + 1;
      arrayCounts.set(name, position);
      table = [`${name}[${position}]`];
      remember(lines, table.join('.'), lineNumber);
      return;
    }
    const header = /^\[\s*(.+?)\s*\]/.exec(line);
    if (header) {
      table = splitKey(header[1]!);
      remember(lines, table.join('.'), lineNumber);
      return;
    }
    const assignment = /^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-.\s])+?)\s*=/.exec(line);
    if (assignment) remember(lines, [...table, ...splitKey(assignment[1]!)].join('.'), lineNumber);
  });
  return lines;
}

function remember(lines: Map<string, number>, path: string, lineNumber: number): void {
  if (!lines.has(path)) lines.set(path, lineNumber);
}

function splitKey(key: string): string[] {
  const parts: string[] = [];
  const pattern = /\s*(?:"([^"]*)"|'([^']*)'|([^.\s]+))\s*(?:\.|$)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(key)) !== null && match[0] !== '') {
    parts.push(match[1] ?? match[2] ?? match[3] ?? '');
  }
  return parts;
}
