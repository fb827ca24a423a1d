/**
 * Globs for names and paths in plugin options (mount points, interface names): `*` matches any run of
 * characters, "/" included (so "/snap/*" covers everything under /snap), `?` one character; the rest is
 * literal. A whole-string match, case-sensitive.
 */
export function globMatcher(globs: readonly string[]): (value: string) => boolean {
  if (globs.length === 0) return () => false;
  const patterns = globs.map((glob) => new RegExp(`^${glob.split('').map(globCharacter).join('')}$`, 's'));
  return (value) => patterns.some((pattern) => pattern.test(value));
}

function globCharacter(char: string): string {
  if (char === '*') return '.*';
  if (char === '?') return '.';
  return char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}
