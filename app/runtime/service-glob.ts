/**
 * Lovebeat's service-name globs, matched in time linear in the name's length: `*` is any text (dots
 * included), `$var` is a run of one or more characters without a dot (part of one dotted segment), and
 * everything else is literal. Lovebeat compiled these to Go regular expressions (RE2, linear); compiling
 * them to JavaScript's backtracking RegExp let a pattern with several `*` take minutes on one hostile
 * name, so they are matched here by a small dynamic programme instead of a RegExp.
 *
 * Where a name can be split in several ways, the split is the one Lovebeat's regexp picks: reading left to
 * right, every `*` and `$var` takes as much as it can while the rest still matches. A variable used
 * more than once must have the same value in every place in that split.
 */

type Token = { kind: 'literal'; text: string } | { kind: 'star' } | { kind: 'variable'; name: string };

const VARIABLE = /\$([A-Za-z_][A-Za-z0-9_]*)/y;
const DOT = 46;
/**
 * The dynamic programme's answer table, shared by every glob (matching never re-enters): (tokens + 1)
 * rows of (name length + 1) cells, grown to the largest seen.
 */
let table = new Uint8Array(0);

/** The variable names a pattern (or an alarm name template) uses, in order of first appearance. */
export function globVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!))];
}

export class ServiceGlob {
  private readonly tokens: Token[];
  /** Pieces between stars, for patterns without variables (the common case, matched without a table). */
  private readonly pieces: string[] | null;
  /** A variable appears more than once: its values must be compared. */
  private readonly repeated: boolean;

  constructor(readonly pattern: string) {
    this.tokens = tokenize(pattern);
    const names = this.tokens.flatMap((token) => (token.kind === 'variable' ? [token.name] : []));
    this.repeated = names.length !== new Set(names).size;
    this.pieces = names.length === 0 ? pattern.split('*') : null;
  }

  test(name: string): boolean {
    if (this.pieces) return matchPieces(this.pieces, name);
    return this.match(name) !== null;
  }

  /** The variables' values when the name matches, or null. */
  match(name: string): Record<string, string> | null {
    if (this.pieces) return matchPieces(this.pieces, name) ? {} : null;
    const spans = this.split(name);
    if (!spans) return null;
    const values: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [index, token] of this.tokens.entries()) {
      if (token.kind !== 'variable') continue;
      const value = name.slice(spans[index]!, spans[index + 1]!);
      if (this.repeated && token.name in values && values[token.name] !== value) return null;
      values[token.name] = value;
    }
    return values;
  }

  /**
   * Where each token starts in the name (plus the end), or null. First a table says, for every token
   * and position, whether the rest of the pattern matches from there (filled from the end, O(tokens ×
   * length)); then one walk from the start takes the longest choice the table allows at every `*` and
   * `$var`, which is the split a backtracking regexp would have found first.
   */
  private split(name: string): number[] | null {
    const tokens = this.tokens;
    const width = name.length + 1;
    const size = (tokens.length + 1) * width;
    if (table.length < size) table = new Uint8Array(size);
    const ok = table;
    // ok[t * width + p] = 1 when tokens t… match name[p…] exactly.
    const last = tokens.length * width;
    ok.fill(0, last, last + width);
    ok[last + name.length] = 1;
    for (let t = tokens.length - 1; t >= 0; t--) {
      const row = t * width;
      const next = row + width;
      const token = tokens[t]!;
      if (token.kind === 'literal') {
        const length = token.text.length;
        for (let p = 0; p <= name.length; p++)
          ok[row + p] = p + length <= name.length && ok[next + p + length] === 1 && name.startsWith(token.text, p) ? 1 : 0;
      } else if (token.kind === 'star') {
        ok[row + name.length] = ok[next + name.length]!;
        for (let p = name.length - 1; p >= 0; p--) ok[row + p] = ok[next + p] === 1 || ok[row + p + 1] === 1 ? 1 : 0;
      } else {
        // A variable's row first holds "one more character of it, or the rest" (rest-or-more), then
        // is turned into "at least one character, then rest-or-more".
        ok[row + name.length] = ok[next + name.length]!;
        for (let p = name.length - 1; p >= 0; p--)
          ok[row + p] = ok[next + p] === 1 || (name.charCodeAt(p) !== DOT && ok[row + p + 1] === 1) ? 1 : 0;
        for (let p = 0; p < name.length; p++) ok[row + p] = name.charCodeAt(p) !== DOT && ok[row + p + 1] === 1 ? 1 : 0;
        ok[row + name.length] = 0;
      }
    }
    if (ok[0] !== 1) return null;
    return this.walk(name, width);
  }

  private walk(name: string, width: number): number[] {
    const ok = table;
    const spans: number[] = [];
    let p = 0;
    for (let t = 0; t < this.tokens.length; t++) {
      spans.push(p);
      const token = this.tokens[t]!;
      const next = (t + 1) * width;
      if (token.kind === 'literal') p += token.text.length;
      else if (token.kind === 'star') {
        // Longest: the furthest q ≥ p from which the rest matches (the star itself takes anything).
        let q = name.length;
        while (ok[next + q] !== 1) q--;
        p = q;
      } else {
        // Longest run of non-dots from p, of at least one character, after which the rest matches.
        let end = p + 1;
        while (end < name.length && name.charCodeAt(end) !== DOT) end++;
        while (ok[next + end] !== 1) end--;
        p = end;
      }
    }
    spans.push(p);
    return spans;
  }
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') tokens.push({ kind: 'literal', text: literal });
    literal = '';
  };
  for (let index = 0; index < pattern.length;) {
    const char = pattern[index]!;
    if (char === '*') {
      flush();
      // "**" is "*": two stars in a row match nothing more than one.
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
      index++;
      continue;
    }
    VARIABLE.lastIndex = index;
    const variable = char === '$' ? VARIABLE.exec(pattern) : null;
    if (variable) {
      flush();
      tokens.push({ kind: 'variable', name: variable[1]! });
      index += variable[0].length;
      continue;
    }
    literal += char;
    index++;
  }
  flush();
  return tokens;
}

/**
 * Star-only globs: the first piece is a prefix, the last a suffix, and each piece between takes its
 * leftmost place after the previous one (leftmost never loses, so no backtracking is needed).
 */
function matchPieces(pieces: string[], name: string): boolean {
  const first = pieces[0]!;
  if (pieces.length === 1) return name === first;
  const lastPiece = pieces[pieces.length - 1]!;
  if (name.length < first.length + lastPiece.length || !name.startsWith(first) || !name.endsWith(lastPiece)) return false;
  let position = first.length;
  const end = name.length - lastPiece.length;
  for (let index = 1; index < pieces.length - 1; index++) {
    const piece = pieces[index]!;
    const found = name.indexOf(piece, position);
    if (found < 0 || found + piece.length > end) return false;
    position = found + piece.length;
  }
  return true;
}
