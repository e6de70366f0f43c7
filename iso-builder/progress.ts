import cliProgress from 'cli-progress';
import type { BuildEvent } from './build.ts';

/**
 * Progress on stderr (stdout stays clean for --json): a bar on a terminal,
 * one line per event otherwise (CI logs).
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): {
  onProgress: (e: BuildEvent) => void;
  stop: () => void;
} {
  if (!stream.isTTY) {
    return {
      onProgress: (e) => {
        if (e.kind === 'step') stream.write(`build-isos: ${e.message}\n`);
        else if (e.kind === 'iso-done')
          stream.write(`build-isos: [${e.done}/${e.total}] ${e.entry.name} ${e.entry.size} bytes\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: 'ISOs {bar} {value}/{total} {status}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (e) => {
      if (e.kind === 'step') {
        if (started) bar.update({ status: e.message });
        else stream.write(`build-isos: ${e.message}\n`);
      } else if (e.kind === 'iso-start' && !started) {
        started = true;
        bar.start(e.total, 0, { status: '' });
      } else if (e.kind === 'iso-done') bar.update(e.done, { status: e.entry.name });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
