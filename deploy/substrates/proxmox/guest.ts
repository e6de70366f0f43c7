import { ProxmoxApiError, vmPath, type ProxmoxApi } from './api-client.ts';
import type { GuestExec } from '../../pipeline/guest-hub.ts';
import { backoff, pollUntil } from '../../toolkit/poll.ts';

/**
 * A VM's guest agent through the Proxmox API: exec + exec-status,
 * file-read. Calls are spaced: pvedaemon has few workers, and a long call
 * gets 596 from pveproxy.
 */
export class ProxmoxGuest implements GuestExec {
  private readonly api: ProxmoxApi;
  private readonly node: string;
  private readonly vmid: number;

  constructor(api: ProxmoxApi, node: string, vmid: number) {
    this.api = api;
    this.node = node;
    this.vmid = vmid;
  }

  /** A file in the guest, or undefined when it is not there (or the agent is not up). */
  async readFile(file: string): Promise<string | undefined> {
    try {
      const r = await this.api.get<{ content: string }>(vmPath(this.node, this.vmid, '/agent/file-read'), { file });
      return r.content;
    } catch (err) {
      if (err instanceof ProxmoxApiError && err.status === 500) return undefined;
      throw err;
    }
  }

  async exec(
    argv: string[],
    opts: { timeoutMs?: number } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const { pid } = await this.api.post<{ pid: number }>(vmPath(this.node, this.vmid, '/agent/exec'), {
      command: argv,
    });
    const withinMs = opts.timeoutMs ?? 60_000;
    return pollUntil({
      what: `${argv.join(' ')} in VM ${this.vmid}`,
      probe: async () => {
        const s = await this.api.get<{
          exited: boolean | number;
          exitcode?: number;
          'out-data'?: string;
          'err-data'?: string;
        }>(vmPath(this.node, this.vmid, '/agent/exec-status'), { pid });
        return s.exited
          ? { code: s.exitcode ?? 1, stdout: s['out-data'] ?? '', stderr: s['err-data'] ?? '' }
          : undefined;
      },
      probeErrorsEnd: true,
      everyMs: backoff(200, 1000),
      withinMs,
      late: () => new Error(`${argv.join(' ')} did not finish in VM ${this.vmid} within ${withinMs / 1000}s`),
    });
  }
}
