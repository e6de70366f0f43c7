/**
 * A local Proxmox VE API for the tests (test support, not a product
 * feature). It speaks the real protocol: HTTPS with its own certificate,
 * `Authorization: PVEAPIToken=…`, the `{"data": …}` envelope, UPIDs and
 * task status, config locks, and Proxmox's error shapes (401 with an empty
 * body, 403 "Permission check failed (/vms/ID, PRIV)", 400 "Parameter
 * verification failed." with `errors`, 500 lock and agent errors, 596).
 * Every request is checked against the official API schema
 * (api-schema.ts); a departure is answered 400 and kept in `violations`.
 * Faults can be injected, among them answers real Proxmox never gives (a
 * 501, an object for a task id) as other API stand-ins have given them.
 * With the qemu backend its VMs are real: starting one runs the qemu
 * substrate's VM (OVMF Secure Boot, swtpm, guest agent) on a private bridge.
 */
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CertificateAuthority } from '../../../shared/pki/certificate-authority.ts';
import { checkRequest, loadSchema, matchPath, type PveVersion } from './api-schema.ts';
import type { VmBackend } from './vm-backend.ts';
import { MemoryBackend } from './vm-backend.ts';

export interface PveVm {
  vmid: number;
  node: string;
  type: 'qemu' | 'lxc';
  config: Record<string, string>;
  running: boolean;
}

export interface PveTask {
  upid: string;
  node: string;
  type: string;
  id: string;
  status: 'running' | 'stopped';
  exitstatus?: string;
  starttime: number;
}

export type FaultKind =
  /** The task fails: "can't lock file '/var/lock/qemu-server/lock-ID.conf' - got timeout". */
  | 'config-lock-timeout'
  /** A 500 "cfs-lock 'storage-ID' error: got lock request timeout" (shared storage). */
  | 'storage-lock-timeout'
  /** A 500 "got timeout" from pvedaemon. */
  | 'got-timeout'
  /** A 596 from pveproxy (pvedaemon's workers busy). */
  | 'proxy-596'
  /** Agent calls answer 500 "QEMU guest agent is not running". */
  | 'agent-not-running'
  /** A 501 as another API stand-in answers a call it lacks: status text "Not Implemented", its message in the body. */
  | 'not-implemented'
  /** The call is done but answered 200 with an object where Proxmox answers its data (a UPID, or null): another stand-in's volume delete. */
  | 'object-answer'
  /** A 200 with an HTML page, not `{"data": …}`: what a web server in front of the API may answer. */
  | 'html-answer';

interface Fault {
  method?: string;
  path: RegExp;
  kind: FaultKind;
  times: number;
  /** Chance per matching request (1: every one until `times` is used up). */
  rate: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  params: Record<string, string | string[]>;
  status: number;
}

export interface LocalPveOptions {
  version?: PveVersion;
  nodes?: string[];
  backend?: VmBackend;
  /** How long each task runs before it stops (a create, a start…). */
  taskMs?: number;
  /** The token secret for root@pam!kubedos; more tokens with `addToken`. */
  root?: string;
}

const STORAGES = [
  { storage: 'local', type: 'dir', content: 'iso,vztmpl,backup', shared: 0 },
  { storage: 'local-lvm', type: 'lvmthin', content: 'images,rootdir', shared: 0 },
];

export class LocalPve {
  readonly version: PveVersion;
  readonly nodes: string[];
  readonly root: string;
  readonly vms = new Map<number, PveVm>();
  readonly tasks = new Map<string, PveTask>();
  readonly requests: RequestRecord[] = [];
  readonly violations: string[] = [];
  /** token id → privileges ('*' for all) */
  private readonly tokens = new Map<string, { secret: string; privileges: Set<string> | '*' }>();
  private readonly faults: Fault[] = [];
  private readonly backend: VmBackend;
  /** How long each task runs (a test may slow them down). */
  taskMs: number;
  private server!: https.Server;
  private pending = new Set<Promise<void>>();
  private pid = 4000;
  /** Injected faults that were answered. */
  faultsFired = 0;
  url = '';
  fingerprint = '';
  token = '';

  private constructor(o: LocalPveOptions) {
    this.version = o.version ?? '9.1';
    this.nodes = o.nodes ?? ['pve1'];
    this.backend = o.backend ?? new MemoryBackend();
    this.taskMs = o.taskMs ?? 20;
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'kdpve-'));
  }

  static async start(o: LocalPveOptions = {}): Promise<LocalPve> {
    const pve = new LocalPve(o);
    // Its own CA and a server certificate from it, as a Proxmox node has (pveproxy's, signed by the cluster's CA).
    const ca = await CertificateAuthority.ensure(path.join(pve.root, 'pki'), 'local-pve-ca', 'local-pve');
    const tls = await ca.issue({
      commonName: 'localhost',
      dns: ['localhost'],
      ips: ['127.0.0.1'],
      usage: 'server-only',
    });
    pve.fingerprint = new X509Certificate(tls.certPem).fingerprint256;
    const secret = o.root ?? 'a3c0f1e2-7b9d-4c11-9e0f-6d5b4a392817';
    pve.tokens.set('root@pam!kubedos', { secret, privileges: '*' });
    pve.token = `root@pam!kubedos=${secret}`;
    for (const n of pve.nodes)
      for (const s of STORAGES) fs.mkdirSync(pve.storageDir(n, s.storage), { recursive: true });
    pve.server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      void pve.handle(req, res).catch((err: NodeJS.ErrnoException) => {
        // A client killed mid-request (the crash test) is not the server's error.
        if (err.message === 'aborted' || err.code === 'ECONNRESET') return;
        pve.violations.push(`server error: ${err.stack}`);
        if (!res.headersSent) res.writeHead(500, 'internal error');
        res.end();
      });
    });
    await new Promise<void>((resolve) => pve.server.listen(0, '127.0.0.1', resolve));
    const addr = pve.server.address() as { port: number };
    pve.url = `https://127.0.0.1:${addr.port}`;
    return pve;
  }

  /** A token with only these privileges (e.g. without VM.Allocate). */
  addToken(id: string, secret: string, privileges: string[]): string {
    this.tokens.set(id, { secret, privileges: new Set(privileges) });
    return `${id}=${secret}`;
  }

  inject(f: { kind: FaultKind; path: RegExp; method?: string; times?: number; rate?: number }): void {
    this.faults.push({ times: 1, rate: 1, ...f });
  }

  /** A VM or container that is not kubedos's, on a VMID. */
  addForeignVm(vmid: number, node: string, name: string, type: 'qemu' | 'lxc' = 'qemu'): void {
    this.vms.set(vmid, {
      vmid,
      node,
      type,
      config: { name, memory: '2048', cores: '2', description: 'the finance database, hands off\n' },
      running: true,
    });
  }

  storageDir(node: string, storage: string): string {
    return path.join(this.root, 'storage', node, storage);
  }

  /** Volume ids on a node's storage. */
  volumes(node: string, storage: string): string[] {
    const dir = this.storageDir(node, storage);
    const out: string[] = [];
    const walk = (d: string, rel: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.name.startsWith('.')) continue;
        if (e.isDirectory()) walk(path.join(d, e.name), `${rel}${e.name}/`);
        else out.push(`${storage}:${rel.startsWith('images/') ? rel.split('/').slice(2).join('/') : rel}${e.name}`);
      }
    };
    if (fs.existsSync(dir)) walk(dir, '');
    return out.sort();
  }

  /** Writes, as the tests count them: every request but GET and the guest agent's. */
  writes(): RequestRecord[] {
    return this.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/agent/'));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    for (const vm of this.vms.values()) if (vm.type === 'qemu') await this.backend.stop(vm).catch(() => undefined);
    await this.backend.close?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  // ---- the protocol

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://x');
    const method = req.method ?? 'GET';
    const send = (status: number, reason: string, body?: object) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, reason, {
        'Content-Type': 'application/json;charset=UTF-8',
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(text);
      this.requests.push({ method, path: apiPath, params: redacted(params), status });
    };
    const apiPath = url.pathname.replace(/^\/api2\/json/, '');
    let params: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) add(params, k, v);
    // Authentication first: an unknown token is 401 with an empty body, a few seconds late in real life.
    const auth = /^PVEAPIToken=([^=]+)=(.+)$/.exec(req.headers.authorization ?? '');
    const token = auth ? this.tokens.get(auth[1]!) : undefined;
    if (!token || token.secret !== auth![2]) {
      req.resume();
      await sleep(30);
      return send(401, auth ? 'authentication failure' : 'No ticket');
    }
    let upload: { name: string; file: string } | undefined;
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      const parsed = await receiveMultipart(req, type, path.join(this.root, 'upload-tmp'));
      params = { ...params, ...parsed.fields };
      if (parsed.file) {
        upload = parsed.file;
        params.filename = parsed.file.name;
      }
    } else if (method !== 'GET' && method !== 'DELETE') {
      const body = await readAll(req);
      if (type.startsWith('application/json')) {
        for (const [k, v] of Object.entries(JSON.parse(body.toString() || '{}') as Record<string, unknown>))
          params[k] = Array.isArray(v) ? v.map(String) : String(v);
      } else for (const [k, v] of splitForm(body.toString())) add(params, k, v);
    } else req.resume();

    const problems = checkRequest(this.version, method, apiPath, params);
    if (problems.length) {
      this.violations.push(...problems.map((p) => `${method} ${apiPath}: ${p}`));
      const errors = Object.fromEntries(problems.map((p, i) => [`param${i}`, p]));
      return send(400, 'Parameter verification failed.', { data: null, errors });
    }
    const match = matchPath(loadSchema(this.version), apiPath)!;
    const denied = this.denied(token.privileges, match.template, method, { ...params, ...match.params });
    if (denied) return send(403, `Permission check failed (${denied})`, { data: null });
    const fault = this.takeFault(method, apiPath);
    if (fault === 'proxy-596') return send(596, 'Broken pipe', { data: null });
    if (fault === 'got-timeout') return this.fail(send, 500, 'got timeout');
    if (fault === 'storage-lock-timeout')
      return this.fail(send, 500, "cfs-lock 'storage-local-lvm' error: got lock request timeout");
    if (fault === 'not-implemented')
      return send(501, 'Not Implemented', { data: null, message: `Method '${method} ${apiPath}' not implemented\n` });
    if (fault === 'html-answer') {
      res.writeHead(200, 'OK', { 'Content-Type': 'text/html' });
      res.end('<html><body>\n<h1>It works!</h1>\n</body></html>\n');
      this.requests.push({ method, path: apiPath, params: redacted(params), status: 200 });
      return;
    }
    try {
      const data = await this.route(method, match.template, { ...params, ...match.params }, upload, fault);
      send(200, 'OK', { data: fault === 'object-answer' ? { upid: data, status: 'running' } : (data ?? null) });
    } catch (err) {
      if (err instanceof PveError) return this.fail(send, err.status, err.message);
      throw err;
    } finally {
      if (upload) fs.rmSync(upload.file, { force: true });
    }
  }

  private fail(send: (s: number, r: string, b?: object) => void, status: number, message: string): void {
    // libpve-http-server-perl sends `message` in the body since 5.2.0 (PVE 9 here); before, only the status line.
    send(
      status,
      message.split('\n')[0]!,
      this.version === '9.1' ? { data: null, message: `${message}\n` } : { data: null },
    );
  }

  private takeFault(method: string, apiPath: string): FaultKind | undefined {
    for (const f of this.faults) {
      if (f.times <= 0 || (f.method && f.method !== method) || !f.path.test(apiPath)) continue;
      if (Math.random() >= f.rate) continue;
      f.times--;
      this.faultsFired++;
      return f.kind;
    }
    return undefined;
  }

  /** The privilege check the schema names (`["perm", "/vms/{vmid}", ["VM.Allocate"]]`), against a limited token. */
  private denied(
    privs: Set<string> | '*',
    template: string,
    method: string,
    p: Record<string, string | string[]>,
  ): string | undefined {
    if (privs === '*') return undefined;
    // create_vm's check is in its description only: "You need 'VM.Allocate' permissions on /vms/{vmid}".
    const check =
      method === 'POST' && template === '/nodes/{node}/qemu'
        ? ['perm', '/vms/{vmid}', ['VM.Allocate']]
        : (loadSchema(this.version)[template]![method] as { permissions?: { check?: unknown[] } }).permissions?.check;
    if (!check || check[0] !== 'perm') return undefined;
    const on = String(check[1]).replace(/\{(\w+)\}/g, (_, k: string) => String(p[k] ?? k));
    const needed = check[2] as string[];
    const any = check[3] === 'any';
    const ok = any ? needed.some((x) => privs.has(x)) : needed.every((x) => privs.has(x));
    return ok ? undefined : `${on}, ${needed.filter((x) => !privs.has(x)).join('|')}`;
  }

  private upid(node: string, type: string, id: string): string {
    const hex = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
    const now = Math.floor(Date.now() / 1000);
    return `UPID:${node}:${hex(this.pid++)}:${hex(now & 0xffffff)}:${hex(now)}:${type}:${id}:root@pam!kubedos:`;
  }

  /** Runs work as a task: its UPID at once, `stopped` with OK or the error text when it ends. */
  private task(node: string, type: string, id: string, work: () => Promise<void>): string {
    const upid = this.upid(node, type, id);
    const t: PveTask = { upid, node, type, id, status: 'running', starttime: Math.floor(Date.now() / 1000) };
    this.tasks.set(upid, t);
    const p = (async () => {
      await sleep(this.taskMs);
      try {
        await work();
        t.exitstatus = 'OK';
      } catch (err) {
        t.exitstatus = (err as Error).message;
      }
      t.status = 'stopped';
    })();
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
    return upid;
  }

  private vmOn(node: string, vmid: string): PveVm {
    const vm = this.vms.get(Number(vmid));
    if (!vm || vm.node !== node)
      throw new PveError(500, `Configuration file 'nodes/${node}/qemu-server/${vmid}.conf' does not exist`);
    return vm;
  }

  private async route(
    method: string,
    template: string,
    p: Record<string, string | string[]>,
    upload: { name: string; file: string } | undefined,
    fault: FaultKind | undefined,
  ): Promise<unknown> {
    const s = (k: string) => (p[k] === undefined ? undefined : String(p[k]));
    const node = s('node') ?? '';
    if (node && !this.nodes.includes(node)) throw new PveError(500, `no such cluster node '${node}'`);
    const key = `${method} ${template}`;
    switch (key) {
      case 'GET /version':
        return { version: this.version === '9.1' ? '9.1.1' : '8.4.1', release: this.version, repoid: '2a5fa54a' };
      case 'GET /nodes':
        return this.nodes.map((n) => ({
          node: n,
          status: 'online',
          type: 'node',
          id: `node/${n}`,
          maxcpu: 16,
          maxmem: 2 ** 36,
        }));
      case 'GET /cluster/nextid':
        return String(Math.max(99, ...this.vms.keys()) + 1);
      case 'GET /cluster/resources':
        return [...this.vms.values()].map((vm) => ({
          id: `${vm.type}/${vm.vmid}`,
          type: vm.type,
          vmid: vm.vmid,
          node: vm.node,
          name: vm.config.name ?? vm.config.hostname ?? '',
          status: this.running(vm) ? 'running' : 'stopped',
          template: 0,
          ...(vm.config.tags ? { tags: vm.config.tags } : {}),
          ...(vm.config.lock ? { lock: vm.config.lock } : {}),
        }));
      case 'GET /nodes/{node}/storage':
        return STORAGES.map((x) => ({
          ...x,
          active: 1,
          enabled: 1,
          total: 2 ** 40,
          used: 2 ** 30,
          avail: 2 ** 40 - 2 ** 30,
        }));
      case 'GET /nodes/{node}/storage/{storage}/content': {
        const storage = this.storage(s('storage')!);
        return this.volumes(node, storage.storage)
          .filter((v) => !s('content') || (s('content') === 'iso') === v.includes(':iso/'))
          .map((volid) => ({
            volid,
            format: volid.endsWith('.iso') ? 'iso' : 'raw',
            size: fs.statSync(this.volumePath(node, volid)).size,
            content: volid.includes(':iso/') ? 'iso' : 'images',
            ctime: Math.floor(Date.now() / 1000),
          }));
      }
      case 'POST /nodes/{node}/storage/{storage}/upload': {
        const storage = this.storage(s('storage')!);
        if (!storage.content.split(',').includes('iso'))
          throw new PveError(500, `storage '${storage.storage}' does not support content-type 'iso'`);
        if (!upload) throw new PveError(400, 'no file uploaded');
        const name = s('filename')!;
        if (!/\.(iso|img)$/i.test(name)) throw new PveError(500, `wrong file extension`);
        const staged = `${upload.file}.task`;
        fs.renameSync(upload.file, staged);
        return this.task(node, 'imgcopy', '', async () => {
          try {
            const hash = createHash('sha256');
            for await (const chunk of fs.createReadStream(staged)) hash.update(chunk as Buffer);
            const sum = hash.digest('hex');
            if (s('checksum') && sum !== s('checksum'))
              throw new Error(`checksum mismatch: got '${sum}' != expected '${s('checksum')}'`);
            const dest = path.join(this.storageDir(node, storage.storage), 'iso', name);
            fs.mkdirSync(path.dirname(dest), { recursive: true });
            fs.renameSync(staged, dest);
          } finally {
            fs.rmSync(staged, { force: true });
          }
        });
      }
      case 'DELETE /nodes/{node}/storage/{storage}/content/{volume}': {
        // As pve-storage's Content.pm: the task's id is [OWNER@]STORAGE (a UPID field holds no ':'), and with
        // `delay` the call waits up to that many seconds: null if the task ended well by then, its error if not.
        const volid = s('volume')!.includes(':') ? s('volume')! : `${s('storage')}:${s('volume')}`;
        const file = this.volumePath(node, volid);
        if (!fs.existsSync(file)) throw new PveError(500, `volume '${volid}' does not exist`);
        const [storage] = volid.split(':');
        const owner = /^[^:]+:vm-(\d+)-/.exec(volid)?.[1];
        const upid = this.task(node, 'imgdel', `${owner ? `${owner}@` : ''}${storage}`, async () => fs.rmSync(file));
        const t = this.tasks.get(upid)!;
        const end = Date.now() + Number(s('delay') ?? 0) * 1000;
        while (t.status === 'running' && Date.now() < end) await sleep(20);
        if (t.status === 'running') return upid;
        if (t.exitstatus === 'OK' || /^WARNINGS: \d+$/.test(t.exitstatus ?? '')) return null;
        throw new PveError(500, t.exitstatus ?? 'unknown error');
      }
      case 'GET /nodes/{node}/tasks/{upid}/status': {
        const t = this.tasks.get(s('upid')!);
        if (!t || t.node !== node) throw new PveError(500, `no such task`);
        return {
          upid: t.upid,
          node: t.node,
          pid: 1,
          pstart: 1,
          starttime: t.starttime,
          type: t.type,
          id: t.id,
          user: 'root@pam!kubedos',
          status: t.status,
          ...(t.exitstatus ? { exitstatus: t.exitstatus } : {}),
        };
      }
      case 'GET /nodes/{node}/tasks/{upid}/log':
        return [{ n: 1, t: this.tasks.get(s('upid')!)?.exitstatus ?? '' }];
      case 'GET /nodes/{node}/qemu':
        return [...this.vms.values()]
          .filter((vm) => vm.node === node && vm.type === 'qemu')
          .map((vm) => ({ vmid: vm.vmid, name: vm.config.name, status: this.running(vm) ? 'running' : 'stopped' }));
      case 'POST /nodes/{node}/qemu':
        return this.create(node, p, fault);
      case 'GET /nodes/{node}/qemu/{vmid}/config': {
        const vm = this.vmOn(node, s('vmid')!);
        return { ...vm.config, digest: createHash('sha1').update(JSON.stringify(vm.config)).digest('hex') };
      }
      case 'PUT /nodes/{node}/qemu/{vmid}/config':
      case 'POST /nodes/{node}/qemu/{vmid}/config': {
        const vm = this.vmOn(node, s('vmid')!);
        if (vm.config.lock) throw new PveError(500, `VM is locked (${vm.config.lock})`);
        const apply = () => {
          for (const [k, v] of Object.entries(p)) {
            if (['node', 'vmid', 'delete', 'digest', 'skiplock', 'background_delay'].includes(k)) continue;
            vm.config[k] = String(v);
          }
          for (const k of (s('delete') ?? '').split(/[,;\s]+/).filter(Boolean)) delete vm.config[k];
        };
        if (method === 'PUT') return apply();
        return this.task(node, 'qmconfig', String(vm.vmid), async () => apply());
      }
      case 'GET /nodes/{node}/qemu/{vmid}/status/current': {
        const vm = this.vmOn(node, s('vmid')!);
        const running = this.running(vm);
        return {
          vmid: vm.vmid,
          name: vm.config.name,
          status: running ? 'running' : 'stopped',
          qmpstatus: running ? 'running' : 'stopped',
          agent: /enabled=1|^1/.test(vm.config.agent ?? '') ? 1 : 0,
          uptime: 0,
          cpus: Number(vm.config.cores ?? 1),
          maxmem: Number(vm.config.memory ?? 512) * 2 ** 20,
        };
      }
      case 'POST /nodes/{node}/qemu/{vmid}/status/start': {
        const vm = this.vmOn(node, s('vmid')!);
        return this.task(node, 'qmstart', String(vm.vmid), async () => {
          if (vm.config.lock) throw new Error(`VM is locked (${vm.config.lock})`);
          if (this.running(vm)) throw new Error(`VM ${vm.vmid} already running`);
          await this.backend.start(vm, this);
          vm.running = true;
        });
      }
      case 'POST /nodes/{node}/qemu/{vmid}/status/stop':
      case 'POST /nodes/{node}/qemu/{vmid}/status/shutdown': {
        const vm = this.vmOn(node, s('vmid')!);
        return this.task(node, template.endsWith('stop') ? 'qmstop' : 'qmshutdown', String(vm.vmid), async () => {
          await this.backend.stop(vm);
          vm.running = false;
        });
      }
      case 'DELETE /nodes/{node}/qemu/{vmid}': {
        const vm = this.vmOn(node, s('vmid')!);
        return this.task(node, 'qmdestroy', String(vm.vmid), async () => {
          if (this.running(vm)) throw new Error(`VM ${vm.vmid} is running - destroy failed`);
          if (vm.config.lock) throw new Error(`VM is locked (${vm.config.lock})`);
          for (const v of Object.values(vm.config)) {
            const volid = v.split(',')[0]!;
            if (/^local-lvm:vm-\d+-disk-\d+$/.test(volid)) fs.rmSync(this.volumePath(node, volid), { force: true });
          }
          await this.backend.destroy(vm);
          this.vms.delete(vm.vmid);
        });
      }
      default:
        if (template.includes('/agent/')) return this.agent(node, s('vmid')!, template.split('/agent/')[1]!, p, fault);
        throw new PveError(501, `Method '${key}' not implemented by the local API`);
    }
  }

  private running(vm: PveVm): boolean {
    if (vm.type !== 'qemu' || !vm.running) return vm.running;
    // A guest that powered itself off (the installer does) is stopped.
    if (!this.backend.running(vm)) vm.running = false;
    return vm.running;
  }

  private storage(name: string) {
    const st = STORAGES.find((x) => x.storage === name);
    if (!st) throw new PveError(500, `storage '${name}' does not exist`);
    return st;
  }

  volumePath(node: string, volid: string): string {
    const [storage, rest = ''] = volid.split(':');
    if (storage === 'local-lvm') {
      const vmid = /^vm-(\d+)-/.exec(rest)?.[1] ?? '0';
      return path.join(this.storageDir(node, storage!), 'images', vmid, rest);
    }
    return path.join(this.storageDir(node, storage!), rest);
  }

  private create(node: string, p: Record<string, string | string[]>, fault: FaultKind | undefined): string {
    const vmid = Number(p.vmid);
    const other = this.vms.get(vmid);
    if (other)
      throw new PveError(500, `unable to create VM ${vmid} - VM ${vmid} already exists on node '${other.node}'`);
    const config: Record<string, string> = { lock: 'create' };
    const vm: PveVm = { vmid, node, type: 'qemu', config, running: false };
    if (fault !== 'config-lock-timeout') this.vms.set(vmid, vm);
    return this.task(node, 'qmcreate', String(vmid), async () => {
      if (fault === 'config-lock-timeout')
        throw new Error(`can't lock file '/var/lock/qemu-server/lock-${vmid}.conf' - got timeout`);
      try {
        let disk = 0;
        const out: Record<string, string> = {};
        for (const [k, raw] of Object.entries(p)) {
          if (k === 'node' || k === 'vmid' || k === 'start') continue;
          const v = String(raw);
          const alloc = /^([a-z][a-z0-9._-]*):(\d+)(,.*)?$/i.exec(v);
          if (/^(efidisk0|tpmstate0|scsi\d+|virtio\d+|sata\d+)$/.test(k) && alloc) {
            const st = this.storage(alloc[1]!);
            if (!st.content.includes('images')) throw new Error(`storage '${st.storage}' does not support vm images`);
            const name = `vm-${vmid}-disk-${disk++}`;
            const size = k === 'efidisk0' ? '528K' : k === 'tpmstate0' ? '4M' : `${alloc[2]}G`;
            const file = this.volumePath(node, `${st.storage}:${name}`);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            await this.backend.allocate(file, k, Number(alloc[2]));
            const extra = k === 'efidisk0' && this.version === '9.1' ? ',ms-cert=2023k' : '';
            out[k] = `${st.storage}:${name}${alloc[3] ?? ''}${extra},size=${size}`;
            continue;
          }
          if (/^ide\d+$/.test(k) && /media=cdrom/.test(v)) {
            const volid = v.split(',')[0]!;
            if (volid !== 'none' && volid !== 'cdrom' && !fs.existsSync(this.volumePath(node, volid)))
              throw new Error(`volume '${volid}' does not exist`);
          }
          out[k] = v;
        }
        out.vmgenid = '9c1a2b3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d';
        out.meta = `creation-qemu=9.2.0,ctime=${Math.floor(Date.now() / 1000)}`;
        vm.config = out;
      } catch (err) {
        this.vms.delete(vmid);
        throw err;
      }
    });
  }

  private async agent(
    node: string,
    vmid: string,
    call: string,
    p: Record<string, string | string[]>,
    fault: FaultKind | undefined,
  ): Promise<unknown> {
    const vm = this.vmOn(node, vmid);
    if (!this.running(vm)) throw new PveError(500, `VM ${vmid} is not running`);
    const agent = fault === 'agent-not-running' ? undefined : this.backend.agent(vm);
    if (!agent || !(await agent.ping(2000))) throw new PveError(500, 'QEMU guest agent is not running');
    try {
      switch (call) {
        case 'ping':
          return { result: {} };
        case 'exec': {
          const argv = Array.isArray(p.command) ? p.command : [String(p.command)];
          return await agent.command<{ pid: number }>('guest-exec', {
            path: argv[0],
            arg: argv.slice(1),
            'capture-output': true,
          });
        }
        case 'exec-status': {
          const r = await agent.command<{
            exited: boolean;
            exitcode?: number;
            'out-data'?: string;
            'err-data'?: string;
          }>('guest-exec-status', { pid: Number(p.pid) });
          const text = (b?: string) => (b === undefined ? undefined : Buffer.from(b, 'base64').toString());
          return {
            exited: r.exited ? 1 : 0,
            ...(r.exitcode !== undefined ? { exitcode: r.exitcode } : {}),
            ...(r['out-data'] !== undefined ? { 'out-data': text(r['out-data']) } : {}),
            ...(r['err-data'] !== undefined ? { 'err-data': text(r['err-data']) } : {}),
          };
        }
        case 'file-read': {
          const handle = await agent.command<number>('guest-file-open', { path: String(p.file), mode: 'r' });
          try {
            const r = await agent.command<{ 'buf-b64': string; eof: boolean }>('guest-file-read', {
              handle,
              count: 16 * 2 ** 20,
            });
            return { content: Buffer.from(r['buf-b64'], 'base64').toString(), ...(r.eof ? {} : { truncated: 1 }) };
          } finally {
            await agent.command('guest-file-close', { handle }).catch(() => undefined);
          }
        }
        default:
          throw new PveError(501, `agent call ${call} not implemented by the local API`);
      }
    } catch (err) {
      if (err instanceof PveError) throw err;
      throw new PveError(500, `Agent error: ${(err as Error).message}`);
    }
  }
}

class PveError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function add(params: Record<string, string | string[]>, k: string, v: string): void {
  const had = params[k];
  params[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
}

/** A form body the way Proxmox's http server reads it: split on `&` and on `;`, so only percent-encoding keeps a `;` in a value. */
function splitForm(body: string): Array<[string, string]> {
  const dec = (x: string) => decodeURIComponent(x.replace(/\+/g, ' '));
  return body
    .split(/[&;]/)
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [dec(pair), ''] : [dec(pair.slice(0, eq)), dec(pair.slice(eq + 1))];
    });
}

function redacted(p: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, k === 'input-data' ? '…' : v]));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readAll(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A multipart body streamed to disk: the fields before the file part in
 * memory, the file part (the last one, as Proxmox wants it) into a file.
 */
async function receiveMultipart(
  req: http.IncomingMessage,
  contentType: string,
  tmpDir: string,
): Promise<{ fields: Record<string, string>; file?: { name: string; file: string } }> {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!boundary) throw new PveError(400, 'multipart without a boundary');
  fs.mkdirSync(tmpDir, { recursive: true });
  const file = path.join(tmpDir, `pveupload-${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`);
  let head = Buffer.alloc(0);
  let out: fs.WriteStream | undefined;
  let name = '';
  const fields: Record<string, string> = {};
  for await (const chunk of req) {
    if (out) {
      if (!out.write(chunk as Buffer)) await new Promise<void>((r) => out!.once('drain', () => r()));
      continue;
    }
    head = Buffer.concat([head, chunk as Buffer]);
    const text = head.toString('latin1');
    const fileHeader = /Content-Disposition: form-data; name="filename"; filename="([^"]*)"[^]*?\r\n\r\n/.exec(text);
    if (!fileHeader) continue;
    name = fileHeader[1]!;
    for (const m of text.slice(0, fileHeader.index).matchAll(/name="([^"]+)"\r\n\r\n([^]*?)\r\n--/g))
      fields[m[1]!] = m[2]!;
    out = fs.createWriteStream(file);
    out.write(head.subarray(fileHeader.index + fileHeader[0].length));
  }
  if (!out) return { fields };
  await new Promise<void>((resolve, reject) => out!.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const trailer = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r+');
  const tail = Buffer.alloc(trailer.length);
  fs.readSync(fd, tail, 0, trailer.length, size - trailer.length);
  if (!tail.equals(trailer)) {
    fs.closeSync(fd);
    throw new PveError(400, 'the multipart body does not end with its boundary (the file part must be last)');
  }
  fs.ftruncateSync(fd, size - trailer.length);
  fs.closeSync(fd);
  return { fields, file: { name, file } };
}
