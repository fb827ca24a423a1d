/**
 * What a TypeScript file imports, read from its text without a parser: `import x from`, `import type`,
 * `import 'x'`, `export … from`, dynamic `import()` and `require()`. Comments, regular expressions and
 * template text are blanked first, so an import written in a comment or a glob such as 'app/**' in a
 * string cannot hide or fake one.
 */
export interface ImportSpecifier {
  /** The module named, or null for a dynamic import of a computed name. */
  specifier: string | null;
  line: number;
}

export function importSpecifiers(source: string): ImportSpecifier[] {
  const code = skeleton(source);
  const found: { specifier: string | null; index: number }[] = [];
  const statement = /^[ \t]*(?:import|export)\s+(?:type\s+)?(?:[\w$*{}\s,]+?\s+from\s*)?(['"])([^'"\n]+)\1/gm;
  for (const match of code.matchAll(statement)) found.push({ specifier: match[2]!, index: match.index! });
  for (const match of code.matchAll(/(?<![\w$.])(import|require)\s*\(/g)) {
    const literal = /^\s*(['"])([^'"\n]+)\1\s*[,)]/.exec(code.slice(match.index! + match[0].length));
    if (literal) found.push({ specifier: literal[2]!, index: match.index! });
    else if (match[1] === 'import') found.push({ specifier: null, index: match.index! });
  }
  return found
    .sort((a, b) => a.index - b.index)
    .map(({ specifier, index }) => ({ specifier, line: code.slice(0, index).split('\n').length }));
}

const REGEX_AFTER_WORDS = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

/**
 * The source with comments, regular expression literals and template text replaced by spaces (line
 * breaks kept, so line numbers hold); quoted strings stay as they are, since specifiers are strings.
 */
export function skeleton(source: string): string {
  let out = '';
  let index = 0;
  let lastChar = '';
  let lastWord = '';
  let braces = 0;
  const templateBraces: number[] = []; // brace depth at each open `${`, innermost last
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');

  const readTemplate = () => {
    // From just after a backtick (or a `}` closing `${`) to the closing backtick or the next `${`.
    const start = index;
    while (index < source.length) {
      const char = source[index]!;
      if (char === '\\') index += 2;
      else if (char === '`') {
        out += blank(source.slice(start, index)) + '`';
        index++;
        lastChar = '`';
        return;
      } else if (char === '$' && source[index + 1] === '{') {
        out += blank(source.slice(start, index)) + '${';
        index += 2;
        templateBraces.push(braces);
        lastChar = '{';
        return;
      } else index++;
    }
    out += blank(source.slice(start));
  };

  while (index < source.length) {
    const char = source[index]!;
    const next = source[index + 1];
    if (char === '/' && next === '/') {
      const end = source.indexOf('\n', index);
      const stop = end === -1 ? source.length : end;
      out += blank(source.slice(index, stop));
      index = stop;
    } else if (char === '/' && next === '*') {
      const end = source.indexOf('*/', index + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += blank(source.slice(index, stop));
      index = stop;
    } else if (char === '"' || char === "'") {
      let end = index + 1;
      while (end < source.length && source[end] !== char && source[end] !== '\n') end += source[end] === '\\' ? 2 : 1;
      out += source.slice(index, end + 1);
      index = end + 1;
      lastChar = char;
      lastWord = '';
    } else if (char === '`') {
      out += '`';
      index++;
      readTemplate();
      lastWord = '';
    } else if (char === '/' && regexMayStart(lastChar, lastWord)) {
      let end = index + 1;
      let inClass = false;
      while (end < source.length && source[end] !== '\n') {
        const current = source[end]!;
        if (current === '\\') end++;
        else if (current === '[') inClass = true;
        else if (current === ']') inClass = false;
        else if (current === '/' && !inClass) break;
        end++;
      }
      end++;
      while (end < source.length && /[a-z]/i.test(source[end]!)) end++;
      out += blank(source.slice(index, end));
      index = end;
      lastChar = ')'; // a regex is a value: a "/" after it divides
      lastWord = '';
    } else if (char === '}' && templateBraces.length > 0 && templateBraces[templateBraces.length - 1] === braces) {
      templateBraces.pop();
      out += '}';
      index++;
      readTemplate();
      lastWord = '';
    } else {
      if (char === '{') braces++;
      else if (char === '}') braces--;
      const joinsWord = /[\w$]/.test(source[index - 1] ?? '');
      out += char;
      index++;
      if (/\s/.test(char)) continue;
      lastWord = /[\w$]/.test(char) ? (joinsWord ? lastWord + char : char) : '';
      lastChar = char;
    }
  }
  return out;
}

function regexMayStart(lastChar: string, lastWord: string): boolean {
  if (lastChar === '') return true;
  if (/[\w$]/.test(lastChar)) return REGEX_AFTER_WORDS.has(lastWord);
  return !')]}"\'`'.includes(lastChar);
}
