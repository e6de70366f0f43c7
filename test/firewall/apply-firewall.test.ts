import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NetnsLab } from '../../deploy/substrates/netns/namespaces.ts';
import { applyFirewall, keepsEstablished } from '../../minion/planes/apply-firewall.ts';
import { renderRuleset } from '../../shared/firewall/render-ruleset.ts';
import { runInNamespace } from '../../shared/planes/command-runner.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { requireSystem } from '../support/requirements.ts';

const NODE = path.resolve('node_modules/.bin/node');
const t = loadTopology();

/** Resolves true when a TCP connect completes or is refused, false when nothing answers in time (dropped). */
function answers(host: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(true));
    setTimeout(() => done(false), ms);
  });
}

describe('applying nftables rulesets (in a namespace)', function () {
  this.timeout(60_000);
  let dir: string;
  let lab: NetnsLab;
  before(async function () {
    requireSystem(this, { root: true, commands: ['ip', 'nft'] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdw-fw-'));
    lab = NetnsLab.open(path.join(dir, 'lab.json'), 'kdwf');
    await lab.addBridge('kdwf-br', '10.251.0.254/24');
    await lab.addNamespace('kdwf-node', { bridge: 'kdwf-br', address: '10.251.0.2/24' });
  });
  after(async () => {
    await lab?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('every role’s ruleset passes nft -c', async () => {
    const run = runInNamespace('kdwf-node');
    for (const node of t.nodes) {
      const r = await run(['nft', '-c', '-f', '/dev/stdin'], { input: renderRuleset(t, node.hostname), reject: false });
      assert.equal(r.exitCode, 0, `${node.hostname}: ${r.stderr}`);
    }
  });

  it('refuses rulesets that fail nft -c or would drop established traffic, applying nothing', async () => {
    const root = path.join(dir, 'bad');
    const run = runInNamespace('kdwf-node');
    const broken = renderRuleset(t, 'w-1').replace('policy drop;', 'policy dorp;');
    await assert.rejects(applyFirewall({ root, run, ruleset: broken }), /nft -c/);
    const noEstablished = renderRuleset(t, 'w-1').replace('ct state established,related accept\n', '');
    assert.equal(keepsEstablished(noEstablished), false);
    await assert.rejects(applyFirewall({ root, run, ruleset: noEstablished }), /established/);
    assert.ok(!fs.existsSync(path.join(root, 'etc/kubedos/firewall.nft')));
    assert.equal((await run(['nft', 'list', 'tables'])).stdout.trim(), '');
  });

  it('applying the ruleset keeps the session the minion is using, and drops new unsolicited traffic', async () => {
    // The "minion": a client inside the namespace holding a TCP session to a "hub" outside, echoing what it gets.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(t.hub.port, '10.251.0.254', r));
    const port = t.hub.port;
    const ruleset = renderRuleset(t, 'w-1', { hubAddresses: ['10.251.0.254'] });
    const session = new Promise<net.Socket>((r) => server.once('connection', r));
    const client = `const s=require('net').connect(${port},'10.251.0.254');s.pipe(s);s.on('close',()=>process.exit(3));`;
    const pid = lab.spawn('kdwf-node', [NODE, '-e', client]);
    const sock = await session;
    const echo = async (msg: string) => {
      const got = new Promise<string>((r) => sock.once('data', (d) => r(d.toString())));
      sock.write(msg);
      return got;
    };
    try {
      assert.equal(await echo('before'), 'before');
      assert.equal(await answers('10.251.0.2', 9100, 2000), true, 'without a firewall the port answers (refused)');
      await applyFirewall({ root: path.join(dir, 'w-1'), run: runInNamespace('kdwf-node'), ruleset });
      assert.equal(await echo('after'), 'after');
      assert.equal(await answers('10.251.0.2', 9100, 1500), false, 'the firewall drops a new connection from the LAN');
      assert.ok(lab.isRunning(pid));
      // Re-applying (the hub re-renders on every change) is atomic and still keeps the session.
      await applyFirewall({ root: path.join(dir, 'w-1'), run: runInNamespace('kdwf-node'), ruleset });
      assert.equal(await echo('again'), 'again');
      const saved = fs.statSync(path.join(dir, 'w-1/etc/kubedos/firewall.nft'));
      assert.equal(saved.mode & 0o777, 0o600);
    } finally {
      sock.destroy();
      server.close();
      await lab.stopProcess(pid);
    }
  });
});
