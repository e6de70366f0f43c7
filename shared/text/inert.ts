/** C0 and C1 control characters but newline and tab, and the bidirectional overrides that reorder a line. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text that came from a node (an error, a log line, an output tail) made
 * safe to print on a terminal: every control character other than a
 * newline or a tab, C1 controls included, is shown as `\xNN` (a
 * bidirectional override as `\uNNNN`), so an escape sequence from a node
 * cannot move the cursor, hide a line or fake one. hubctl passes all its
 * human output through it; --json keeps the text as data.
 */
export function inert(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** The first non-empty line of a node's text, inert and at most `max` characters. */
export function firstLine(text: string, max = 200): string {
  const line = inert(text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
