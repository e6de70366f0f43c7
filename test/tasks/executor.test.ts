import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { State } from '../../proto/gen/kubedos/v1/State.ts';
import type { TaskResult } from '../../proto/gen/kubedos/v1/TaskResult.ts';
import { taskOverWire } from '../../hub/converge/wire-roundtrip.ts';
import { executeTask } from '../../minion/tasks/execute-task.ts';
import { RecordingHost, SIM_DIR } from '../../minion/tasks/recording-host.ts';
import {
  command,
  commandProbe,
  directory,
  file,
  httpProbe,
  kernelModule,
  packages,
  service,
  sysctl,
  tcpProbe,
} from '../../shared/tasks/builders.ts';
import { OutputTail } from '../../shared/tasks/output-tail.ts';
import { REDACTED, redactSecrets } from '../../shared/tasks/redact.ts';
import { CertificateAuthority } from '../../shared/pki/certificate-authority.ts';

let root: string;
let seq = 0;

function run(
  states: State[],
  opts: { dryRun?: boolean; record?: boolean; timeoutMs?: number } = {},
): Promise<TaskResult> {
  const task = taskOverWire({
    taskId: `t${++seq}`,
    name: 'test',
    attempt: 1,
    states,
    timeoutMs: opts.timeoutMs ?? 0,
    dryRun: opts.dryRun ?? false,
  });
  return executeTask(task, {
    root,
    recordCommands: opts.record ?? false,
    log: () => {},
    signal: new AbortController().signal,
  });
}

describe('minion task executor', function () {
  this.timeout(30_000);
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'kdc-exec-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('file: dry run reports, first run writes with the mode, second run is unchanged, drift is corrected', async () => {
    const s = [file('conf', '/etc/app/app.conf', 'x = 1\n', { mode: 0o640 })];
    const dry = await run(s, { dryRun: true });
    assert.equal(dry.status, 'TASK_STATUS_CHANGED');
    assert.match(dry.states![0]!.summary!, /would write \/etc\/app\/app.conf: create/);
    assert.equal(fs.existsSync(path.join(root, 'etc/app/app.conf')), false);
    assert.equal((await run(s)).status, 'TASK_STATUS_CHANGED');
    const target = path.join(root, 'etc/app/app.conf');
    assert.equal(fs.readFileSync(target, 'utf8'), 'x = 1\n');
    assert.equal(fs.statSync(target).mode & 0o777, 0o640);
    assert.equal((await run(s)).status, 'TASK_STATUS_UNCHANGED');
    fs.chmodSync(target, 0o666);
    const fixed = await run(s);
    assert.match(fixed.states![0]!.summary!, /mode 666→640/);
    assert.equal(fs.statSync(target).mode & 0o777, 0o640);
  });

  it('keeps every path under the root', async () => {
    const r = await run([file('evil', '/../../etc/kdc-escape', 'no')]);
    assert.equal(r.status, 'TASK_STATUS_CHANGED');
    assert.equal(fs.readFileSync(path.join(root, 'etc/kdc-escape'), 'utf8'), 'no');
    assert.equal(fs.existsSync('/etc/kdc-escape'), false);
    assert.equal((await run([file('rel', 'etc/relative', 'no')])).retryable, false);
  });

  it('directory: created with its mode, then unchanged; a file in the way fails without retry', async () => {
    assert.equal((await run([directory('d', '/var/lib/app', { mode: 0o750 })])).status, 'TASK_STATUS_CHANGED');
    assert.equal(fs.statSync(path.join(root, 'var/lib/app')).mode & 0o777, 0o750);
    assert.equal((await run([directory('d', '/var/lib/app', { mode: 0o750 })])).status, 'TASK_STATUS_UNCHANGED');
    fs.writeFileSync(path.join(root, 'blocker'), '');
    const bad = await run([directory('d', '/blocker')]);
    assert.equal(bad.status, 'TASK_STATUS_FAILED');
    assert.equal(bad.retryable, false);
  });

  it('command guards: creates, unless, onlyif; a failure carries the output tail', async () => {
    fs.writeFileSync(path.join(root, 'exists'), '');
    assert.equal((await run([command('c', ['false'], { creates: '/exists' })])).status, 'TASK_STATUS_UNCHANGED');
    assert.equal((await run([command('c', ['false'], { unless: ['true'] })])).status, 'TASK_STATUS_UNCHANGED');
    assert.equal((await run([command('c', ['false'], { onlyif: ['false'] })])).status, 'TASK_STATUS_UNCHANGED');
    assert.equal((await run([command('c', ['true'], { onlyif: ['true'] })])).status, 'TASK_STATUS_CHANGED');
    const failed = await run([command('c', ['ls', '/kdc-nope'])]);
    assert.equal(failed.status, 'TASK_STATUS_FAILED');
    assert.equal(failed.retryable, true);
    assert.match(failed.outputTail!, /kdc-nope/);
    assert.match(failed.error!, /exit status 2/);
  });

  it('command argv is never given to a shell', async () => {
    const marker = path.join(root, 'pwned');
    await run([command('c', ['echo', `$(touch ${marker})`, `; touch ${marker}`])]);
    assert.equal(fs.existsSync(marker), false);
  });

  it('a command timeout fails the state, retryable', async () => {
    const r = await run([command('sleep', ['sleep', '5'], { timeoutMs: 200 })]);
    assert.equal(r.status, 'TASK_STATUS_FAILED');
    assert.match(r.error!, /timed out/);
    assert.equal(r.retryable, true);
  });

  it('the task timeout stops the task and cancels the rest', async () => {
    const r = await run([command('sleep', ['sleep', '5']), file('after', '/after', 'x')], { timeoutMs: 300 });
    assert.equal(r.status, 'TASK_STATUS_FAILED');
    assert.match(r.error!, /timed out after 300 ms/);
    assert.equal(fs.existsSync(path.join(root, 'after')), false);
  });

  it('redacts secret file content from output and bounds the tail', async () => {
    const secret = 'abcdef.0123456789abcdef';
    const r = await run([
      file('tok', '/etc/token', secret, { secret: true, mode: 0o600 }),
      command('leak', ['echo', `token is ${secret}`]),
    ]);
    assert.ok(!r.outputTail!.includes(secret));
    assert.ok(r.outputTail!.includes(REDACTED));
    assert.equal(redactSecrets('a 123 b', ['123']), 'a 123 b', 'short values are not treated as secrets');
    const tail = new OutputTail(100);
    for (let i = 0; i < 100; i++) tail.append(`line ${i} ${'x'.repeat(20)}`);
    assert.ok(Buffer.byteLength(tail.toString()) <= 110);
    assert.match(tail.toString(), /line 99/);
  });

  it('recorded mode: packages, services, modules and sysctls go to the journal and read back as done', async () => {
    const states = [
      packages('p', [{ name: 'kubelet', version: '1.31.4-1.1', hold: true }, 'socat']),
      service('s', 'containerd', { restartOnChange: ['/etc/containerd/config.toml'] }),
      kernelModule('m', 'br_netfilter'),
      sysctl('k', 'net.ipv4.ip_forward', '1'),
    ];
    assert.equal((await run(states, { record: true })).status, 'TASK_STATUS_CHANGED');
    const argv = RecordingHost.readJournal(root).map((e) => e.argv.join(' '));
    assert.deepEqual(argv, [
      'apt-get install -y kubelet=1.31.4-1.1 socat',
      'apt-mark hold kubelet',
      'systemctl enable containerd',
      'systemctl start containerd',
      'modprobe br_netfilter',
      'sysctl -w net.ipv4.ip_forward=1',
    ]);
    assert.equal(
      fs.readFileSync(path.join(root, 'etc/sysctl.d/90-kubedos-net.ipv4.ip_forward.conf'), 'utf8'),
      'net.ipv4.ip_forward = 1\n',
    );
    assert.equal(
      fs.readFileSync(path.join(root, 'etc/modules-load.d/kubedos-br_netfilter.conf'), 'utf8'),
      'br_netfilter\n',
    );
    assert.equal((await run(states, { record: true })).status, 'TASK_STATUS_UNCHANGED');
  });

  it('packages: an interrupted dpkg (an install stopped mid-way) is repaired first, and said so', async () => {
    const states = [packages('p', ['socat'])];
    await run(states, { record: true });
    // What a lost power or a killed apt-get leaves: dpkg interrupted (the sim host's model of it).
    const model = path.join(root, SIM_DIR, 'model.json');
    fs.writeFileSync(model, JSON.stringify({ ...JSON.parse(fs.readFileSync(model, 'utf8')), dpkgInterrupted: true }));
    const dry = await run(states, { record: true, dryRun: true });
    assert.match(dry.states![0]!.summary!, /would repair an interrupted dpkg/);
    const r = await run(states, { record: true });
    assert.equal(r.status, 'TASK_STATUS_CHANGED');
    assert.match(r.states![0]!.summary!, /repaired an interrupted dpkg \(dpkg --configure -a\)/);
    assert.deepEqual(
      RecordingHost.readJournal(root).map((e) => e.argv.join(' ')),
      ['apt-get install -y socat', 'dpkg --configure -a --force-confold'],
    );
    assert.equal((await run(states, { record: true })).status, 'TASK_STATUS_UNCHANGED');
  });

  it('a service restarts when a file it depends on changed, even in a later task', async () => {
    const conf = [file('c', '/etc/containerd/config.toml', 'a')];
    const svc = [service('s', 'containerd', { restartOnChange: ['/etc/containerd/config.toml'] })];
    await run(conf, { record: true });
    await run(svc, { record: true });
    await run([file('c', '/etc/containerd/config.toml', 'b')], { record: true });
    const r = await run(svc, { record: true });
    assert.match(r.states![0]!.summary!, /restart/);
    assert.equal((await run(svc, { record: true })).status, 'TASK_STATUS_UNCHANGED');
  });

  it('probes: TCP, HTTPS with a CA, command; retried until the deadline', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    assert.equal((await run([tcpProbe('t', `127.0.0.1:${port}`)])).status, 'TASK_STATUS_UNCHANGED');
    server.close();
    const down = await run([tcpProbe('t', `127.0.0.1:${port}`, { deadlineMs: 600, intervalMs: 100 })]);
    assert.equal(down.status, 'TASK_STATUS_FAILED');
    assert.match(down.error!, /not ready after \d+ attempt/);

    const ca = await CertificateAuthority.ensure(path.join(root, 'ca'), 'test-ca', 'kdc');
    const pair = await ca.issue({ commonName: 'localhost', ips: ['127.0.0.1'], usage: 'server' });
    const web = https.createServer({ cert: pair.certPem, key: pair.keyPem }, (_q, s) => s.writeHead(200).end('ok'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(web.address() as AddressInfo).port}/health`;
    assert.equal((await run([httpProbe('h', url, { caPem: ca.certPem })])).status, 'TASK_STATUS_UNCHANGED');
    // Without the CA the server is not trusted, and the probe fails at its deadline.
    const untrusted = await run([httpProbe('h', url, { deadlineMs: 300, intervalMs: 100 })]);
    assert.equal(untrusted.status, 'TASK_STATUS_FAILED');
    assert.match(untrusted.error!, /self-signed|unable to verify|certificate/);
    web.close();

    let hits = 0;
    const plain = http.createServer((_q, s) => s.writeHead(++hits < 3 ? 503 : 200).end());
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const ok = await run([
      httpProbe('h', `http://127.0.0.1:${(plain.address() as AddressInfo).port}/`, {
        deadlineMs: 5000,
        intervalMs: 50,
      }),
    ]);
    plain.close();
    assert.equal(ok.status, 'TASK_STATUS_UNCHANGED');
    assert.match(ok.states![0]!.summary!, /ready after 3 attempt/);

    assert.equal((await run([commandProbe('c', ['true'])])).status, 'TASK_STATUS_UNCHANGED');
    assert.equal(
      (await run([commandProbe('c', ['false'], { deadlineMs: 200, intervalMs: 50 })])).status,
      'TASK_STATUS_FAILED',
    );
    assert.match(
      (await run([tcpProbe('t', '127.0.0.1:1')], { dryRun: true })).states![0]!.summary!,
      /would wait for tcp/,
    );
  });

  it('a command probe whose attempt runs out of time, or whose program is missing, says so', async () => {
    const slow = await run([commandProbe('c', ['sleep', '5'], { deadlineMs: 300, intervalMs: 50, timeoutMs: 200 })]);
    assert.equal(slow.status, 'TASK_STATUS_FAILED');
    assert.match(slow.error!, /sleep 5 not ready after \d+ attempt\(s\): timed out after 0\.2 s$/);
    const missing = await run([commandProbe('c', ['kubedos-no-such-program'], { deadlineMs: 100, intervalMs: 50 })]);
    assert.match(missing.error!, /exit status 127: kubedos-no-such-program could not be started \(ENOENT\)$/);
  });
});
