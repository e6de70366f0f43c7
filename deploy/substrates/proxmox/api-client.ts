import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../../shared/errors.ts';
import { connectTrusted, type ApiTrust } from './tls-trust.ts';
import { backoff, pollUntil } from '../../toolkit/poll.ts';

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

/**
 * Text from the API as one printable line: runs of white space (newlines
 * too) one space, any other control character (C1 and bidi controls too)
 * shown as `\uNNNN`, at most `max` characters.
 */
export function oneLine(text: string, max = 300): string {
  const line = text
    .replace(/\s+/g, ' ')
    .replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** What the operator can do about a status kubedos does not handle itself. */
function statusHint(status: number): string {
  if (status === 400)
    return 'Proxmox refused what kubedos sent: kubedos speaks the API of Proxmox VE 8.4 and 9.x (docs/proxmox.md)';
  if (status === 404 || status === 501)
    return 'that API has no such call: proxmox.endpoint must be a Proxmox VE 8.4 or 9.x node';
  if (status >= 500)
    return 'Proxmox could not do it: see pvedaemon and pveproxy on that node (journalctl -u pvedaemon -u pveproxy); a re-run carries on from what exists';
  return 'kubedos does not expect that answer from Proxmox VE 8.4 or 9.x; a re-run carries on from what exists';
}

/**
 * What the API answered instead of data, as one line: the call, the status
 * and its text, Proxmox's message (the status line or the body's, when it
 * says more), and the per-parameter errors of a 400.
 */
export class ProxmoxApiError extends UserError {
  readonly status: number;
  readonly errors: Record<string, string> | undefined;
  constructor(
    method: string,
    apiPath: string,
    status: number,
    statusText: string,
    message?: string,
    errors?: Record<string, string>,
  ) {
    const text = oneLine(statusText) || http.STATUS_CODES[status] || 'no status text';
    const said = oneLine(message ?? '');
    const reason = !said || text.includes(said) ? text : said.startsWith(text) ? said : `${text}: ${said}`;
    const detail = errors
      ? `: ${Object.entries(errors)
          .map(([k, v]) => `${oneLine(k, 60)}: ${oneLine(String(v))}`)
          .join('; ')}`
      : '';
    super(oneLine(`${method} ${apiPath}: ${status} ${reason}${detail}`, 600), statusHint(status));
    this.name = 'ProxmoxApiError';
    this.status = status;
    this.errors = errors;
  }
}

/** A task (UPID) that ended with an exit status other than OK or WARNINGS. */
export class ProxmoxTaskError extends UserError {
  readonly exitstatus: string;
  constructor(what: string, exitstatus: string) {
    super(
      `${what}: ${oneLine(exitstatus)}`,
      "the task's log is on its Proxmox node (Tasks in the UI); a re-run carries on from what exists",
    );
    this.name = 'ProxmoxTaskError';
    this.exitstatus = exitstatus;
  }
}

/**
 * A task id as pve-common's PVE::Tools::upid_decode reads it:
 * `UPID:node:pid:pstart:starttime:type:id:user:` (pid and starttime 8 hex
 * digits, pstart 8 or 9; no field holds a `:` or white space).
 */
const UPID =
  /^UPID:[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?:[0-9A-Fa-f]{8}:[0-9A-Fa-f]{8,9}:[0-9A-Fa-f]{8}:[^:\s]+:[^:\s]*:[^:\s]+:$/;

export function isUpid(value: unknown): value is string {
  return typeof value === 'string' && UPID.test(value);
}

/** An answer kubedos did not expect, to show: its JSON, shortened and inert. */
function shown(value: unknown): string {
  return value === undefined ? 'nothing' : oneLine(JSON.stringify(value) ?? String(value), 80);
}

/**
 * The task a call started, from its answer: a UPID. With `done`, null (or
 * no data) is the call having done the work itself, as a volume delete may.
 * Anything else is refused, naming the call and what came back: it never
 * goes into a path.
 */
export function upidFrom(call: string, data: unknown, done: true): string | null;
export function upidFrom(call: string, data: unknown): string;
export function upidFrom(call: string, data: unknown, done = false): string | null {
  if (isUpid(data)) return data;
  if (done && (data === null || data === undefined)) return null;
  throw new UserError(
    `${call} answered ${shown(data)} where Proxmox answers a task id (UPID)${done ? ' or null' : ''}`,
    'kubedos speaks the API of Proxmox VE 8.4 and 9.x: proxmox.endpoint must be such a node (a re-run carries on from what exists)',
  );
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

  /** A call that starts a task: its UPID, checked (see upidFrom). */
  async task(method: string, apiPath: string, params: ApiParams = {}): Promise<string> {
    return upidFrom(`${method} ${apiPath}`, await this.call<unknown>(method, apiPath, params));
  }

  /** A call that starts a task or, answering null, did the work itself: its UPID or null, checked. */
  async taskOrDone(method: string, apiPath: string, params: ApiParams = {}): Promise<string | null> {
    return upidFrom(`${method} ${apiPath}`, await this.call<unknown>(method, apiPath, params), true);
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
      const upid = upidFrom(`POST ${apiPath}`, this.unwrap<unknown>('POST', apiPath, res));
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
    // Only a task id goes into the path: a caller's answer was checked (upidFrom), and is again here.
    if (!isUpid(upid)) throw new UserError(`${what}: ${shown(upid)} is not a Proxmox task id (UPID)`);
    const withinMs = opts.timeoutMs ?? 15 * 60_000;
    const exit = await pollUntil({
      what: `${what}: task ${upid}`,
      probe: async () => {
        const s = await this.get<{ status: string; exitstatus?: string }>(
          `/nodes/${encodeURIComponent(node)}/tasks/${encodeURIComponent(upid)}/status`,
        );
        return s.status === 'stopped' ? (s.exitstatus ?? '') : undefined;
      },
      probeErrorsEnd: true,
      everyMs: backoff(100, 2000),
      withinMs,
      ...(opts.signal ? { signal: opts.signal } : {}),
      late: () => new UserError(`${what}: task ${upid} still running after ${withinMs / 1000}s`),
    });
    if (exit === 'OK' || /^WARNINGS: \d+$/.test(exit)) return;
    throw new ProxmoxTaskError(what, exit || 'the task stopped without an exit status');
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
    let json = false;
    try {
      const body: unknown = res.body ? JSON.parse(res.body) : undefined;
      if (body && typeof body === 'object' && !Array.isArray(body)) {
        parsed = body as typeof parsed;
        json = true;
      }
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
          : `the Proxmox API forbade ${method} ${apiPath} for token ${this.opts.token.id}: ${oneLine(res.reason)}`,
        'grant the token the KubedosDeployer role (see docs/proxmox.md), or give it --privsep 0 with a user that has it',
      );
    }
    const message = typeof parsed.message === 'string' ? parsed.message : undefined;
    const errors = parsed.errors && typeof parsed.errors === 'object' ? parsed.errors : undefined;
    // Any status but 2xx (a 501, a 404, a 500 not worth a retry) is the call's error, in one line.
    if (res.status < 200 || res.status >= 300)
      throw new ProxmoxApiError(method, apiPath, res.status, res.reason, message, errors);
    if (!json || !('data' in parsed))
      throw new ProxmoxApiError(
        method,
        apiPath,
        res.status,
        res.reason,
        `the answer is not Proxmox's {"data": …} but ${res.body ? oneLine(res.body, 80) : 'empty'}`,
      );
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
