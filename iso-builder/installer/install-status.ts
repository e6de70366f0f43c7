/**
 * The installer's word on how the install goes, as kubedos-install.sh
 * writes it: one JSON object, in /run/kubedos-install.status (read through
 * the guest agent on Proxmox) and on the serial console after a fixed mark
 * (read from the console log by the qemu lab). This module is the one
 * reader of both.
 */
export const INSTALL_PHASES = ['checking', 'installing', 'installed', 'refused', 'failed'] as const;
export type InstallPhase = (typeof INSTALL_PHASES)[number];

export interface InstallStatus {
  phase: InstallPhase;
  /** The node its seed names; empty before the seed was read. */
  node: string;
  /** What it is doing or why it stopped; may be empty. */
  reason: string;
}

/** Where the live system keeps the status, and the file the deployer touches once it has read a final one. */
export const INSTALL_STATUS_FILE = '/run/kubedos-install.status';
export const INSTALL_STATUS_SEEN = '/run/kubedos-install.seen';
/** What precedes the status on the console. */
export const INSTALL_STATUS_MARK = 'kubedos-install-status: ';

/** A status as the installer wrote it, or undefined for anything else (a partial write, a foreign file). */
export function parseInstallStatus(text: string): InstallStatus | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text.trim());
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { phase, node, reason } = v as Record<string, unknown>;
  if (!(INSTALL_PHASES as readonly unknown[]).includes(phase)) return undefined;
  if (typeof node !== 'string' || typeof reason !== 'string') return undefined;
  return { phase: phase as InstallPhase, node, reason };
}

/** The last status the installer said on a console (its serial log). */
export function lastInstallStatus(consoleText: string): InstallStatus | undefined {
  let last: InstallStatus | undefined;
  for (const line of consoleText.split(/\r?\n/)) {
    const at = line.indexOf(INSTALL_STATUS_MARK);
    if (at < 0) continue;
    last = parseInstallStatus(line.slice(at + INSTALL_STATUS_MARK.length)) ?? last;
  }
  return last;
}

/** The installer is done: installed, or it refused or failed (and powers the machine off). */
export function installEnded(s: InstallStatus): boolean {
  return s.phase === 'installed' || s.phase === 'refused' || s.phase === 'failed';
}

/** One line for the operator: "installed: cp-1 on /dev/sda", "refused: no seed medium …". */
export function describeInstall(s: InstallStatus): string {
  return s.reason ? `${s.phase}: ${s.reason}` : s.phase;
}
