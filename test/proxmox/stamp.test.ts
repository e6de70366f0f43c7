import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { macFor } from '../../deploy/media/node-mac.ts';
import { parseProperty, smbiosUuidFor } from '../../deploy/substrates/proxmox/vm-shape.ts';
import { proxmoxDestroy } from '../../deploy/substrates/proxmox/proxmox-destroy.ts';
import { deployerPrivileges } from '../../deploy/substrates/proxmox/privileges.ts';
import { UserError } from '../../shared/errors.ts';
import type { Topology } from '../../shared/topology/model.ts';
import { tempDir } from '../support/hub-fixture.ts';
import {
  apiTo,
  seedsOnStorage,
  smallMedia,
  stampWith,
  topologyFor,
  writesBesidesSeeds,
} from '../support/proxmox/fixtures.ts';
import { LocalPve } from '../support/proxmox/local-pve.ts';

/**
 * The Proxmox driver against the local Proxmox API (booting off): the
 * 16-node example stamped on three Proxmox nodes in the exact VM shape, a
 * second run that writes nothing, the dry run, drift, lock and timeout
 * faults, foreign VMIDs, token and TLS refusals, destroy. Every request is
 * checked against the official schema of PVE 9.1 (and 8.4 once).
 */
for (const version of ['9.1', '8.4'] as const) {
  describe(`proxmox driver against a local PVE ${version} API`, function () {
    this.timeout(120_000);
    let pve: LocalPve;
    let dir: string;
    let t: Topology;
    let file: string;
    let media: ReturnType<typeof smallMedia>;

    beforeEach(async () => {
      pve = await LocalPve.start({ version, nodes: ['pve1', 'pve2', 'pve3'] });
      dir = tempDir('pvestamp');
      ({ topology: t, file } = topologyFor(pve, 'platform-16.yaml', dir));
      media = smallMedia(t, dir);
    });
    afterEach(async () => {
      const violations = [...pve.violations];
      await pve.close();
      fs.rmSync(dir, { recursive: true, force: true });
      assert.deepEqual(violations, [], 'every request conforms to the official API schema');
    });

    it('stamps 16 VMs in the exact shape, spreads the HA roles, and a second run changes nothing (its seeds go up and off again)', async () => {
      const { report } = await stampWith(pve, t, file, media);
      assert.equal(report.vms.filter((v) => v.action === 'create').length, 16);
      assert.equal(pve.vms.size, 16);
      for (const n of t.nodes) {
        const vm = pve.vms.get(n.vmid)!;
        const c = vm.config;
        assert.equal(c.name, n.hostname);
        assert.equal(c.machine, 'q35');
        assert.equal(c.bios, 'ovmf');
        const efi = parseProperty(c.efidisk0);
        assert.match(efi.get('')!, /^local-lvm:vm-\d+-disk-\d+$/);
        assert.equal(efi.get('efitype'), '4m');
        assert.equal(efi.get('pre-enrolled-keys'), '1');
        assert.equal(parseProperty(c.tpmstate0).get('version'), 'v2.0');
        assert.equal(c.agent, 'enabled=1');
        assert.equal(c.scsihw, 'virtio-scsi-single');
        assert.equal(parseProperty(c.scsi0).get('size'), `${n.diskGiB}G`);
        assert.equal(parseProperty(c.net0).get('virtio'), macFor(t.name, n.hostname));
        assert.equal(parseProperty(c.net0).get('bridge'), 'vmbr0');
        assert.match(c.ide2!, /^local:iso\/kubedos-platform-16-[0-9a-f]{12}\.iso,media=cdrom$/);
        assert.match(
          c.ide3!,
          new RegExp(`^local:iso/kubedos-platform-16-${n.hostname}-seed-[0-9a-f]{12}\\.iso,media=cdrom$`),
        );
        assert.equal(c.boot, 'order=scsi0;ide2');
        assert.equal(c.serial0, 'socket');
        assert.equal(c.smbios1, `uuid=${smbiosUuidFor(t, n)}`);
        assert.equal(c.cores, String(n.cores));
        assert.equal(c.memory, String(n.memoryMiB));
        assert.match(c.description!, new RegExp(`^kubedos deployment=platform-16 node=${n.hostname}\\n`));
        assert.equal(c.tags, 'kubedos;kubedos-platform-16');
      }
      for (const role of ['etcd', 'cp', 'lb']) {
        const hosts = t.nodes.filter((n) => n.role === role).map((n) => pve.vms.get(n.vmid)!.node);
        assert.equal(new Set(hosts).size, 3, `${role} members on three Proxmox nodes: ${hosts.join(', ')}`);
      }
      // The ISO went to each node once; each seed only where its VM is, and off again as the deploy ended.
      for (const node of pve.nodes) {
        const isos = pve.volumes(node, 'local').filter((v) => !v.includes('-seed-'));
        assert.equal(isos.length, 1, `${node}: ${isos.join(', ')}`);
      }
      assert.deepEqual(seedsOnStorage(pve), [], 'no seed rests on a storage after the deploy');
      const writesBefore = pve.writes().length;
      const again = await stampWith(pve, t, file, media);
      assert.deepEqual(writesBesidesSeeds(pve, writesBefore), [], 'the second run made no write but the seeds');
      assert.deepEqual(
        again.report.uploads.filter((u) => u.uploaded).map((u) => u.name.replace(/[0-9a-f]{12}/, 'HASH')),
        t.nodes.map((n) => `kubedos-platform-16-${n.hostname}-seed-HASH.iso`),
        'the seeds of the VMs not yet enrolled go up again, and only they',
      );
      assert.deepEqual(seedsOnStorage(pve), []);
      assert.ok(
        again.report.vms.every((v) => v.action === 'unchanged'),
        JSON.stringify(again.report.vms.map((v) => v.drift)),
      );
    });

    if (version === '8.4') return;

    it('dry run: create per VM with the qm line, and no write', async () => {
      const { report } = await stampWith(pve, t, file, media, { dryRun: true, until: 'converge' });
      assert.equal(pve.writes().length, 0);
      assert.equal(pve.vms.size, 0);
      assert.equal(report.reached, 'stamp');
      assert.ok(report.vms.every((v) => v.action === 'create'));
      const master = report.vms.find((v) => v.node === 'master')!;
      assert.match(
        master.qm[0]!,
        /^qm create 1000 --name master .*--machine q35 --bios ovmf --efidisk0 local-lvm:1,efitype=4m,pre-enrolled-keys=1 .*--boot 'order=scsi0;ide2'/,
      );
    });

    it('retries lock timeouts, pvedaemon timeouts and 596 answers, and still makes each VM once', async () => {
      pve.inject({ kind: 'config-lock-timeout', method: 'POST', path: /^\/nodes\/[^/]+\/qemu$/, times: 4 });
      pve.inject({ kind: 'storage-lock-timeout', method: 'POST', path: /^\/nodes\/[^/]+\/qemu$/, times: 3 });
      pve.inject({ kind: 'got-timeout', method: 'GET', path: /\/tasks\//, times: 3 });
      pve.inject({ kind: 'proxy-596', path: /\/storage$/, times: 2 });
      pve.inject({ kind: 'proxy-596', path: /\/upload$/, times: 1 });
      const { report, api } = await stampWith(pve, t, file, media, { concurrency: 16 });
      assert.equal(pve.vms.size, 16);
      assert.ok(report.vms.every((v) => v.action === 'create'));
      assert.equal(pve.faultsFired, 13);
      assert.equal(api.stats.retries, pve.faultsFired, 'one retry per fault');
      const writes = pve.writes().length;
      await stampWith(pve, t, file, media);
      assert.deepEqual(writesBesidesSeeds(pve, writes), []);
    });

    it('refuses a VMID another VM holds, before any write, and never touches it', async () => {
      pve.addForeignVm(1021, 'pve2', 'finance-db');
      pve.addForeignVm(1031, 'pve1', 'ct-web', 'lxc');
      await assert.rejects(
        stampWith(pve, t, file, media),
        (err: Error) =>
          err instanceof UserError &&
          /VMID 1021 \(for cp-1\) is taken on pve2 by VM "finance-db", not made by kubedos/.test(err.message) &&
          /VMID 1031 .*container "ct-web"/.test(err.message),
      );
      assert.equal(pve.writes().length, 0);
      assert.equal(pve.vms.size, 2);
      await assert.rejects(
        proxmoxDestroy({
          topology: t,
          api: apiTo(pve),
          yes: true,
          signal: new AbortController().signal,
          say: () => undefined,
        }).then((r) => {
          if (r.vms.length) throw new Error('destroy listed a foreign VM');
          throw new Error('ok');
        }),
        /ok/,
      );
      assert.equal(pve.vms.get(1021)!.config.name, 'finance-db');
    });

    it('reports drift: an in-place change is fixed, a firmware change asks for redeploy and is left alone', async () => {
      await stampWith(pve, t, file, media);
      pve.vms.get(1031)!.config.memory = '4096';
      pve.vms.get(1032)!.config.machine = 'pc';
      pve.vms.get(1033)!.config.net0 = 'virtio=BC:24:11:00:00:01,bridge=vmbr0';
      const { report, lines } = await stampWith(pve, t, file, media);
      const by = (n: string) => report.vms.find((v) => v.node === n)!;
      assert.equal(by('w-1').action, 'update');
      assert.equal(pve.vms.get(1031)!.config.memory, '16384');
      assert.equal(by('w-2').action, 'rebuild needed');
      assert.equal(pve.vms.get(1032)!.config.machine, 'pc');
      assert.equal(by('w-3').action, 'rebuild needed');
      assert.ok(
        lines.some((l) => /w-2: machine is pc, the topology wants q35: run "kubedos redeploy w-2"/.test(l)),
        lines.join('\n'),
      );
      assert.equal(by('master').action, 'unchanged');
    });

    it('says in one line what is wrong with a token, a privilege or the certificate', async () => {
      await assert.rejects(
        stampWith(pve, t, file, media, {
          api: apiTo(pve, pve.token, { fingerprint: pve.fingerprint.replace(/^../, '00') }),
        }),
        (err: Error) =>
          err instanceof UserError &&
          /presented certificate .* not the pinned .*nothing was sent/.test(err.message + (err as UserError).hint),
      );
      assert.equal(pve.requests.length, 0, 'no request reached the server past a wrong fingerprint');
      await assert.rejects(
        stampWith(pve, t, file, media, { api: apiTo(pve, 'root@pam!kubedos=wrong-secret') }),
        (err: Error) =>
          err instanceof UserError &&
          /refused token root@pam!kubedos: 401/.test(err.message) &&
          !err.message.includes('wrong-secret'),
      );
      const weak = pve.addToken('deploy@pve!ci', 'b1b2', [
        'VM.Audit',
        'Datastore.Audit',
        'Datastore.AllocateTemplate',
        'Sys.Audit',
      ]);
      await assert.rejects(
        stampWith(pve, t, file, media, { api: apiTo(pve, weak) }),
        (err: Error) => err instanceof UserError && /lacks privilege VM.Allocate on \/vms\/\d+/.test(err.message),
      );
    });

    it('a deploy killed at random moments and run again makes each VM once and leaves no orphaned media', async function () {
      pve.taskMs = 120;
      const env = { ...process.env, KUBEDOS_PROXMOX_TOKEN: pve.token };
      const progress: string[] = [];
      for (const delayMs of [150, 600, 900, 900, 1000, 1000, 1100, 1100].map(
        (d) => d + Math.floor(Math.random() * 400),
      )) {
        const child = spawn(
          process.execPath,
          [path.join(import.meta.dirname, '../support/proxmox/deploy-child.ts'), file],
          { env, stdio: ['ignore', 'pipe', 'pipe'] },
        );
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        await new Promise((r) => setTimeout(r, delayMs));
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        // The child runs under runMain: an operator's error would be a "kubedos: …" line, a bug a stack.
        assert.doesNotMatch(err, /Error|^kubedos: /m, err);
        progress.push(`${pve.vms.size} VMs, ${pve.nodes.flatMap((n) => pve.volumes(n, 'local')).length} media`);
      }
      console.log(`      killed at: ${progress.join('; ')}`);
      assert.ok(
        progress.some((p) => !p.startsWith('0 VMs, 0 media') && !p.startsWith('16 VMs')),
        'at least one kill landed part way',
      );
      const { report } = await stampWith(pve, t, file, media);
      assert.equal(pve.vms.size, 16);
      for (const n of t.nodes)
        assert.match(pve.vms.get(n.vmid)!.config.description!, new RegExp(`node=${n.hostname}\n`));
      assert.ok(
        report.vms.every((v) => v.action !== 'rebuild needed'),
        JSON.stringify(report.vms),
      );
      const referenced = new Set(
        [...pve.vms.values()].flatMap((vm) => [vm.config.ide2, vm.config.ide3].map((v) => v!.split(',')[0])),
      );
      for (const node of pve.nodes)
        for (const volid of pve.volumes(node, 'local'))
          assert.ok(referenced.has(volid), `${node}: ${volid} is referenced by a VM`);
      const writes = pve.writes().length;
      await stampWith(pve, t, file, media);
      assert.deepEqual(writesBesidesSeeds(pve, writes), []);
      assert.deepEqual(seedsOnStorage(pve), []);
    });

    it('a deploy that stops before its nodes enrolled takes their seeds off the storage; the next one places them again', async () => {
      pve.taskMs = 50;
      const stop = new AbortController();
      const lines: string[] = [];
      // ^C once the first seed is up: the stamp stage stops part way.
      const say = (l: string) => {
        lines.push(l);
        if (/^uploaded kubedos-platform-16-.*-seed-/.test(l)) stop.abort();
      };
      await assert.rejects(stampWith(pve, t, file, media, { signal: stop.signal, say }), /interrupted/);
      assert.ok(lines.some((l) => /^uploaded .*-seed-/.test(l)));
      assert.ok(pve.vms.size < 16, `${pve.vms.size} VMs made before the stop`);
      assert.deepEqual(seedsOnStorage(pve), [], 'no seed is left where a reader of the storage finds it');
      assert.ok(
        lines.some((l) => /^took \d+ seeds? off the storage/.test(l)),
        lines.join('\n'),
      );
      assert.equal(pve.nodes.flatMap((n) => pve.volumes(n, 'local')).length, 3, 'the platform ISO stays');

      // The next deploy uploads the seed of every VM that still needs one before it would start it.
      const seen: string[] = [];
      const { report } = await stampWith(pve, t, file, media, {
        say: (l) => {
          if (/^uploaded .*-seed-/.test(l)) seen.push(l);
        },
      });
      assert.equal(pve.vms.size, 16);
      assert.equal(seen.length, 16, seen.join('\n'));
      assert.ok(report.vms.every((v) => v.action !== 'rebuild needed'));
      assert.deepEqual(seedsOnStorage(pve), []);
    });

    it('destroy removes exactly this deployment: its VMs and media, nothing else (the documented role, nothing more)', async () => {
      // A token with exactly the role docs/proxmox.md gives: stamping and destroying need nothing else.
      const token = pve.addToken('kubedos@pve!deploy', 'c0ffee', deployerPrivileges(Number(version.split('.')[0])));
      await stampWith(pve, t, file, media, { api: apiTo(pve, token) });
      pve.addForeignVm(4242, 'pve1', 'someone-else');
      const keep = `${pve.storageDir('pve1', 'local')}/iso/debian-13.iso`;
      fs.writeFileSync(keep, 'not ours');
      const dry = await proxmoxDestroy({
        topology: t,
        api: apiTo(pve, token),
        yes: false,
        signal: new AbortController().signal,
        say: () => undefined,
      });
      assert.equal(dry.vms.length, 16);
      assert.equal(pve.vms.size, 17, 'without --yes nothing goes');
      const r = await proxmoxDestroy({
        topology: t,
        api: apiTo(pve, token),
        yes: true,
        signal: new AbortController().signal,
        say: () => undefined,
      });
      assert.equal(r.vms.length, 16);
      assert.deepEqual([...pve.vms.keys()], [4242]);
      for (const node of pve.nodes) {
        assert.deepEqual(pve.volumes(node, 'local-lvm'), [], `${node}: no disk left`);
        assert.deepEqual(
          pve.volumes(node, 'local').filter((v) => v.includes('kubedos')),
          [],
          `${node}: no media left`,
        );
      }
      assert.ok(fs.existsSync(keep));
    });

    it('an unexpected status (a 501 on GET /nodes/{node}/storage at upload) is one line: the call, the status, the message', async () => {
      pve.inject({ kind: 'not-implemented', method: 'GET', path: /^\/nodes\/[^/]+\/storage$/ });
      const api = apiTo(pve);
      await assert.rejects(stampWith(pve, t, file, media, { until: 'upload', api }), (err: Error) => {
        assert.ok(err instanceof UserError, `${err.name}: ${err.message}`);
        assert.match(
          err.message,
          /^GET \/nodes\/(pve\d)\/storage: 501 Not Implemented: Method 'GET \/nodes\/\1\/storage' not implemented$/,
        );
        assert.ok(err.hint, 'with a hint');
        return true;
      });
      assert.equal(api.stats.retries, 0, 'not retried');
      assert.equal(pve.writes().length, 0);
    });

    it('the volume delete answers as Proxmox does: a UPID (its id the storage), or null once `delay` saw the task end', async () => {
      const dir = path.join(pve.storageDir('pve1', 'local'), 'iso');
      fs.mkdirSync(dir, { recursive: true });
      for (const f of ['a.iso', 'b.iso']) fs.writeFileSync(path.join(dir, f), f);
      const api = apiTo(pve);
      const content = (v: string) => `/nodes/pve1/storage/local/content/${encodeURIComponent(v)}`;
      const upid = await api.delete<unknown>(content('local:iso/a.iso'));
      // pve-common's upid_decode: UPID:node:pid:pstart:starttime:type:id:user:
      assert.match(
        String(upid),
        /^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:imgdel:local:root@pam!kubedos:$/,
        JSON.stringify(upid),
      );
      assert.equal(await api.delete<unknown>(content('local:iso/b.iso'), { delay: 5 }), null);
      assert.deepEqual(fs.readdirSync(dir), []);
    });

    it('destroy: a volume delete answered with neither a UPID nor null is one line, and the answer goes in no path', async () => {
      const iso = path.join(pve.storageDir('pve1', 'local'), 'iso', `kubedos-${t.name}-0123456789ab.iso`);
      fs.mkdirSync(path.dirname(iso), { recursive: true });
      fs.writeFileSync(iso, 'media');
      pve.inject({ kind: 'object-answer', method: 'DELETE', path: /\/storage\/local\/content\// });
      await assert.rejects(
        proxmoxDestroy({
          topology: t,
          api: apiTo(pve),
          yes: true,
          signal: new AbortController().signal,
          say: () => undefined,
        }),
        (err: Error) => {
          assert.ok(err instanceof UserError, `${err.name}: ${err.message}`);
          assert.match(
            err.message,
            /^DELETE \/nodes\/pve1\/storage\/local\/content\/local%3Aiso%2Fkubedos-platform-16-0123456789ab\.iso answered \{"upid":"UPID:pve1:.* where Proxmox answers a task id \(UPID\) or null$/,
          );
          return true;
        },
      );
      const asked = pve.requests.map((r) => decodeURIComponent(r.path));
      assert.ok(!asked.some((p) => p.includes('/tasks/') || p.includes('object')), asked.join('\n'));
    });
  });
}
