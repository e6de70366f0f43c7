import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../shared/errors.ts';
import { connectTrusted, type ApiTrust } from './tls-trust.ts';

/** A parameter value as the API takes it: booleans go as 1/0, arrays as repeated keys. */
export type ApiValue = string | number | boolean | string[];
export type ApiParams = Record<string, ApiValue | undefined>;

/** An API token, `USER@REALM!TOKENID=SECRET`; only its id (never the secret) appears in messages. */
export interface ApiToken {
  id: string;
  header: string;
}

export function parseToken(raw: string): ApiToken {
  const text = raw.trim();
  const m = /^([^\s@!=]+@[^\s@!=]+)!([^\s@!=]+)=(\S+)$/.exec(text);
  if (!m)
    throw new UserError(
      'the Proxmox API token is not USER@REALM!TOKENID=SECRET',
      'make one with "pveum user token add USER@REALM TOKENID --privsep 0" and give it in KUBEDOS_PROXMOX_TOKEN or --token-file',
    );
  return { id: `${m[1]}!${m[2]}`, header: `PVEAPIToken=${text}` };
}

/** What the API answered instead of data: the status line, the per-parameter errors of a 400, the message. */
export class ProxmoxApiError extends Error {
  readonly status: number;
  readonly errors: Record<string, string> | undefined;
  constructor(method: string, apiPath: string, status: number, reason: string, errors?: Record<string, string>) {
    const detail = errors
      ? `: ${Object.entries(errors)
          .map(([k, v]) => `${k}: ${v.trim()}`)
          .join('; ')}`
      : '';
    super(`${method} ${apiPath}: ${status} ${reason}${detail}`);
    this.name = 'ProxmoxApiError';
    this.status = status;
    this.errors = errors;
  }
}

/** A task (UPID) that ended with an exit status other than OK or WARNINGS. */
export class ProxmoxTaskError extends Error {
  readonly exitstatus: string;
  constructor(what: string, exitstatus: string) {
    super(`${what}: ${exitstatus}`);
    this.name = 'ProxmoxTaskError';
    this.exitstatus = exitstatus;
  }
}

/**
 * Errors worth another try: a config or storage lock that timed out (many
 * creates at once on one node or one shared storage), pvedaemon's 500 "got
 * timeout", and pveproxy's 596 when pvedaemon's few workers are busy.
 */
export function isTransient(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err);
  if (err instanceof ProxmoxApiError && err.status === 596) return true;
  if (err instanceof ProxmoxApiError && err.status >= 400 && err.status < 500) return false;
  return /can't lock file .* got timeout|cfs-lock '.*' error: got lock request timeout|got timeout|ECONNRESET|socket hang up/.test(
    text,
  );
}

export interface CallStats {
  reads: number;
  /** Requests that change the cluster (create, config, start, stop, delete, upload): a re-run with nothing to do makes none. */
  writes: number;
  /** Guest agent calls (exec, file-read): the guest's business, not the cluster's. */
  agent: number;
  retries: number;
  bytesUploaded: number;
}

export interface ApiOptions {
  endpoint: string;
  token: ApiToken;
  trust: ApiTrust;
  timeoutMs?: number;
  /** First backoff of a retried transient error; doubles, with jitter, up to 8 s. */
  retryBaseMs?: number;
  retryAttempts?: number;
}

/** The Proxmox VE API (`/api2/json`), each response's `data`. */
export class ProxmoxApi {
  readonly stats: CallStats = { reads: 0, writes: 0, agent: 0, retries: 0, bytesUploaded: 0 };
  readonly endpoint: URL;
  private readonly opts: ApiOptions;

  constructor(opts: ApiOptions) {
    this.opts = opts;
    this.endpoint = new URL(opts.endpoint);
    if (this.endpoint.protocol !== 'https:') throw new UserError(`proxmox.endpoint ${opts.endpoint} is not https://`);
  }

  get<T>(apiPath: string, params: ApiParams = {}): Promise<T> {
    return this.call<T>('GET', apiPath, params);
  }
  post<T>(apiPath: string, params: ApiParams = {}): Promise<T> {
    return this.call<T>('POST', apiPath, params);
  }
  delete<T>(apiPath: string, params: ApiParams = {}): Promise<T> {
    return this.call<T>('DELETE', apiPath, params);
  }

  /** One call, retried on a transient error. */
  call<T>(method: string, apiPath: string, params: ApiParams = {}): Promise<T> {
    return this.retrying(() => this.once<T>(method, apiPath, params));
  }

  /** Runs work again after a transient error (see isTransient), with backoff, up to retryAttempts times in all. */
  async retrying<T>(work: () => Promise<T>): Promise<T> {
    const attempts = this.opts.retryAttempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (attempt >= attempts || !isTransient(err)) throw err;
        this.stats.retries++;
        await sleep(this.backoff(attempt));
      }
    }
  }

  private backoff(attempt: number): number {
    const base = this.opts.retryBaseMs ?? 500;
    const ms = Math.min(8000, base * 2 ** (attempt - 1));
    return ms / 2 + Math.random() * (ms / 2);
  }

  private count(method: string, apiPath: string): void {
    if (apiPath.includes('/agent/')) this.stats.agent++;
    else if (method === 'GET') this.stats.reads++;
    else this.stats.writes++;
  }

  private async once<T>(method: string, apiPath: string, params: ApiParams): Promise<T> {
    this.count(method, apiPath);
    const form = encodeForm(params);
    const withQuery = method === 'GET' || method === 'DELETE';
    const target = `/api2/json${apiPath}${withQuery && form ? `?${form}` : ''}`;
    const body = withQuery ? undefined : Buffer.from(form);
    const headers: Record<string, string | number> = {
      Authorization: this.opts.token.header,
      Accept: 'application/json',
    };
    if (body) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = body.length;
    }
    const res = await this.send(method, target, headers, (req) => req.end(body));
    return this.unwrap<T>(method, apiPath, res);
  }

  /** Uploads a file to a storage (content iso), checked there against its sha256; returns the task's UPID. */
  async upload(node: string, storage: string, file: string, name: string, sha256: string): Promise<string> {
    const apiPath = `/nodes/${encodeURIComponent(node)}/storage/${encodeURIComponent(storage)}/upload`;
    const boundary = `kubedos${Math.random().toString(16).slice(2)}${Date.now()}`;
    const field = (k: string, v: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`;
    // The file part goes last: Proxmox reads the other fields first.
    const head = Buffer.from(
      field('content', 'iso') +
        field('checksum-algorithm', 'sha256') +
        field('checksum', sha256) +
        `--${boundary}\r\nContent-Disposition: form-data; name="filename"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const size = fs.statSync(file).size;
    return this.retrying(async () => {
      this.count('POST', apiPath);
      const res = await this.send(
        'POST',
        `/api2/json${apiPath}`,
        {
          Authorization: this.opts.token.header,
          Accept: 'application/json',
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': head.length + size + tail.length,
        },
        (req) => {
          req.write(head);
          const stream = fs.createReadStream(file);
          stream.on('error', (err) => req.destroy(err));
          stream.on('end', () => req.end(tail));
          stream.pipe(req, { end: false });
        },
        // An upload of a few hundred MiB takes longer than any other call.
        Math.max(this.opts.timeoutMs ?? 60_000, 600_000),
      );
      const upid = await this.unwrap<string>('POST', apiPath, res);
      this.stats.bytesUploaded += size;
      return upid;
    });
  }

  /** Waits for a task on its node: `stopped` with `OK` or `WARNINGS: n` is success, any other exit status the error. */
  async waitTask(
    node: string,
    upid: string,
    what: string,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 15 * 60_000);
    let pause = 100;
    for (;;) {
      const s = await this.get<{ status: string; exitstatus?: string }>(
        `/nodes/${encodeURIComponent(node)}/tasks/${encodeURIComponent(upid)}/status`,
      );
      if (s.status === 'stopped') {
        const exit = s.exitstatus ?? '';
        if (exit === 'OK' || /^WARNINGS: \d+$/.test(exit)) return;
        throw new ProxmoxTaskError(what, exit || 'the task stopped without an exit status');
      }
      if (opts.signal?.aborted) throw new UserError('interrupted');
      if (Date.now() > deadline)
        throw new UserError(`${what}: task ${upid} still running after ${(opts.timeoutMs ?? 900_000) / 1000}s`);
      await sleep(pause);
      pause = Math.min(2000, pause * 2);
    }
  }

  private async send(
    method: string,
    target: string,
    headers: Record<string, string | number>,
    write: (req: http.ClientRequest) => void,
    timeoutMs = this.opts.timeoutMs ?? 60_000,
  ): Promise<{ status: number; reason: string; body: string }> {
    const port = Number(this.endpoint.port || 8006);
    const host = this.endpoint.hostname.replace(/^\[|\]$/g, '');
    const socket = await connectTrusted(host, port, this.opts.trust, Math.min(timeoutMs, 30_000));
    return new Promise((resolve, reject) => {
      const req = http.request({
        method,
        host,
        port,
        path: target,
        headers: { ...headers, Host: this.endpoint.host, Connection: 'close' },
        createConnection: () => socket,
      });
      req.setTimeout(timeoutMs, () =>
        req.destroy(new Error(`${method} ${target}: no answer within ${timeoutMs / 1000}s (got timeout)`)),
      );
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            reason: res.statusMessage ?? '',
            body: Buffer.concat(chunks).toString(),
          }),
        );
      });
      write(req);
    });
  }

  private unwrap<T>(method: string, apiPath: string, res: { status: number; reason: string; body: string }): T {
    let parsed: { data?: unknown; errors?: Record<string, string>; message?: string } = {};
    try {
      parsed = res.body ? (JSON.parse(res.body) as typeof parsed) : {};
    } catch {
      parsed = {};
    }
    if (res.status === 401)
      throw new UserError(
        `the Proxmox API refused token ${this.opts.token.id}: 401 ${res.reason || 'authentication failure'}`,
        'check KUBEDOS_PROXMOX_TOKEN (or --token-file): the token id, its secret, that it is not expired or deleted',
      );
    if (res.status === 403) {
      const m = /Permission check failed \(([^,]+), ([^)]+)\)/.exec(res.reason + ' ' + (parsed.message ?? ''));
      throw new UserError(
        m
          ? `token ${this.opts.token.id} lacks privilege ${m[2]} on ${m[1]} (${method} ${apiPath})`
          : `the Proxmox API forbade ${method} ${apiPath} for token ${this.opts.token.id}: ${res.reason}`,
        'grant the token the KubedosDeployer role (see docs/proxmox.md), or give it --privsep 0 with a user that has it',
      );
    }
    if (res.status >= 400) {
      const reason = parsed.message?.trim() || res.reason;
      throw new ProxmoxApiError(method, apiPath, res.status, reason, parsed.errors);
    }
    return parsed.data as T;
  }
}

/** Form encoding with every key and value percent-encoded: Proxmox splits a raw body on `&` and `;`. */
export function encodeForm(params: ApiParams): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [v];
    for (const one of values)
      parts.push(
        `${encodeURIComponent(k)}=${encodeURIComponent(typeof one === 'boolean' ? (one ? '1' : '0') : String(one))}`,
      );
  }
  return parts.join('&');
}

/** The API path of a VM. */
export function vmPath(node: string, vmid: number, rest = ''): string {
  return `/nodes/${encodeURIComponent(node)}/qemu/${vmid}${rest}`;
}

export function readTokenFile(file: string): string {
  try {
    const st = fs.statSync(file);
    if ((st.mode & 0o077) !== 0)
      throw new UserError(
        `token file ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)})`,
        `chmod 600 ${file}`,
      );
    return fs.readFileSync(path.resolve(file), 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`token file ${file} is not readable: ${(err as NodeJS.ErrnoException).code}`);
  }
}
