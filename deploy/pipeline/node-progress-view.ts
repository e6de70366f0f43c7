import cliProgress from 'cli-progress';
import { NODE_PHASES, type NodeLine } from './node-phases.ts';

/**
 * Shows each node's phase: on a terminal a line per node redrawn in place
 * (cli-progress), otherwise a line whenever a node's phase changes (logs, CI).
 */
export class NodeProgressView {
  private readonly multi?: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();
  private readonly last = new Map<string, string>();
  private readonly started = Date.now();
  private readonly quiet: boolean;

  constructor(opts: { quiet?: boolean } = {}) {
    this.quiet = !!opts.quiet;
    if (!this.quiet && process.stderr.isTTY) {
      this.multi = new cliProgress.MultiBar(
        { format: '{node} |{bar}| {phase} {detail}', hideCursor: true, clearOnComplete: false, barsize: 12 },
        cliProgress.Presets.shades_classic,
      );
    }
  }

  update(lines: NodeLine[]): void {
    if (this.quiet) return;
    const width = Math.max(0, ...lines.map((l) => l.node.length));
    for (const l of lines) {
      const payload = { node: l.node.padEnd(width), phase: l.phase.padEnd(10), detail: l.detail };
      if (this.multi) {
        const bar = this.bars.get(l.node);
        if (bar) bar.update(l.step, payload);
        else this.bars.set(l.node, this.multi.create(NODE_PHASES.length - 1, l.step, payload));
        continue;
      }
      const line = `${l.phase}${l.detail && l.phase !== 'converging' ? ` (${l.detail})` : ''}`;
      if (this.last.get(l.node) === line) continue;
      this.last.set(l.node, line);
      const at = Math.round((Date.now() - this.started) / 1000);
      process.stderr.write(`${String(at).padStart(4)}s ${l.node.padEnd(width)} ${line}\n`);
    }
  }

  stop(): void {
    this.multi?.stop();
  }
}
