/** Bytes of output a task result carries back: enough to diagnose, never enough to flood the hub. */
export const OUTPUT_TAIL_BYTES = 8 * 1024;

/**
 * Keeps only the last `limit` bytes of everything appended, so a chatty
 * command cannot grow a task result (or the hub's database) without bound.
 */
export class OutputTail {
  private chunks: string[] = [];
  private size = 0;
  private dropped = false;
  private readonly limit: number;

  constructor(limit = OUTPUT_TAIL_BYTES) {
    this.limit = limit;
  }

  append(text: string): void {
    if (!text) return;
    this.chunks.push(text.endsWith('\n') ? text : `${text}\n`);
    this.size += Buffer.byteLength(this.chunks[this.chunks.length - 1]!);
    while (this.size > this.limit && this.chunks.length > 1) {
      this.size -= Buffer.byteLength(this.chunks.shift()!);
      this.dropped = true;
    }
  }

  toString(): string {
    const joined = this.chunks.join('');
    const buf = Buffer.from(joined);
    if (buf.length <= this.limit) return (this.dropped ? '…\n' : '') + joined;
    return `…\n${buf.subarray(buf.length - this.limit).toString('utf8')}`;
  }
}

/** The last `limit` bytes of a string (for a single command's output). */
export function tailOf(text: string, limit = OUTPUT_TAIL_BYTES): string {
  const buf = Buffer.from(text);
  return buf.length <= limit ? text : `…\n${buf.subarray(buf.length - limit).toString('utf8')}`;
}
