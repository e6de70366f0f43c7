import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The QEMU guest agent, over the unix socket QEMU gives its channel
 * (org.qemu.guest_agent.0): the pre-network way into a VM that the qemu lab
 * uses and that Proxmox's agent API wraps. One request at a time, each
 * preceded by guest-sync so a reply left over from a dropped request is
 * never taken for this one.
 */
export class GuestAgent {
  readonly socket: string;

  constructor(socket: string) {
    this.socket = socket;
  }

  /** One command; rejects with the agent's own error, or when it does not answer within timeoutMs. */
  async command<T>(execute: string, args: object = {}, timeoutMs = 10_000): Promise<T> {
    const conn = net.createConnection(this.socket);
    try {
      await new Promise<void>((resolve, reject) => {
        conn.once('connect', resolve);
        conn.once('error', reject);
      });
      const replies = lineReader(conn);
      const id = Math.floor(Math.random() * 2 ** 31);
      // 0xFF first: the agent drops any half-read input up to it (the protocol's own resync).
      conn.write(Buffer.from([0xff]));
      conn.write(`${JSON.stringify({ execute: 'guest-sync-delimited', arguments: { id } })}\n`);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const r = (await replies.next(deadline)) as { return?: unknown };
        if (r.return === id) break;
      }
      conn.write(`${JSON.stringify({ execute, arguments: args })}\n`);
      const reply = (await replies.next(deadline)) as { return?: T; error?: { class: string; desc: string } };
      if (reply.error) throw new Error(`guest agent ${execute}: ${reply.error.desc}`);
      return reply.return as T;
    } finally {
      conn.destroy();
    }
  }

  /** Whether the agent answers now. */
  async ping(timeoutMs = 3_000): Promise<boolean> {
    try {
      await this.command('guest-ping', {}, timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  /** Runs a program in the guest and waits for it: its exit code, stdout and stderr. */
  async exec(
    argv: string[],
    opts: { timeoutMs?: number; input?: string } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const { pid } = await this.command<{ pid: number }>('guest-exec', {
      path: argv[0],
      arg: argv.slice(1),
      'capture-output': true,
      ...(opts.input !== undefined ? { 'input-data': Buffer.from(opts.input).toString('base64') } : {}),
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.command<{
        exited: boolean;
        exitcode?: number;
        signal?: number;
        'out-data'?: string;
        'err-data'?: string;
      }>('guest-exec-status', { pid });
      if (s.exited) {
        return {
          code: s.exitcode ?? 128 + (s.signal ?? 0),
          stdout: Buffer.from(s['out-data'] ?? '', 'base64').toString(),
          stderr: Buffer.from(s['err-data'] ?? '', 'base64').toString(),
        };
      }
      if (Date.now() > deadline)
        throw new Error(`${argv.join(' ')} did not finish in the guest within ${timeoutMs} ms`);
      await sleep(200);
    }
  }
}

/** JSON replies, one a line; skips the 0xFF the agent may echo. */
function lineReader(conn: net.Socket) {
  let buf = '';
  const waiting: Array<() => void> = [];
  let failure: Error | undefined;
  conn.on('data', (d: Buffer) => {
    buf += d.toString('latin1').replace(/\xff/g, '');
    waiting.splice(0).forEach((w) => w());
  });
  const fail = (err: Error) => {
    failure = err;
    waiting.splice(0).forEach((w) => w());
  };
  conn.on('error', fail);
  conn.on('close', () => fail(new Error('the guest agent closed the connection')));
  return {
    async next(deadline: number): Promise<unknown> {
      for (;;) {
        const nl = buf.indexOf('\n');
        if (nl >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) return JSON.parse(Buffer.from(line, 'latin1').toString('utf8'));
          continue;
        }
        if (failure) throw failure;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('the guest agent did not answer in time');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiting.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
  };
}
