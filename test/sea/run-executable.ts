import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import readline from 'node:readline';

/**
 * A built executable started the way a node's systemd would: by path, from
 * its own directory, with an environment that points nowhere near the
 * checkout (no NODE_PATH, no NODE_OPTIONS, no npm).
 */
export class RunningExecutable {
  readonly child: ChildProcess;
  readonly output: string[] = [];
  readonly #lines = new EventEmitter();
  readonly #exited: Promise<number | null>;

  constructor(file: string, args: string[], cwd: string) {
    this.child = spawn(file, args, { cwd, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: cwd }, stdio: 'pipe' });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        this.output.push(line);
        this.#lines.emit('line', line);
      });
    }
    this.#exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** The first output line matching, or an error carrying the output if the process exits first. */
  waitForLine(pattern: RegExp): Promise<RegExpMatchArray> {
    const seen = this.output.map((l) => l.match(pattern)).find((m) => m);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const onLine = (line: string) => {
        const m = line.match(pattern);
        if (!m) return;
        this.#lines.off('line', onLine);
        resolve(m);
      };
      this.#lines.on('line', onLine);
      void this.#exited.then((code) => {
        this.#lines.off('line', onLine);
        reject(new Error(`exited (${code}) before printing ${pattern}:\n${this.output.join('\n')}`));
      });
    });
  }

  /** SIGTERM, and the exit code once it has stopped. */
  stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.#exited;
  }
}
