import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { launchVm, type RunningVm } from './qemu-launcher.ts';
import { NODE_PATHS } from '../../iso-builder/node-layout.ts';
import { LIVE_KERNEL_ARGS } from '../../iso-builder/platform-iso.ts';
import { writeSeedMedium } from '../../iso-builder/seed-medium.ts';
import { GuestAgent } from '../../shared/guest-agent/qga-client.ts';
import { tempDir } from './hub-fixture.ts';
import { until } from './until.ts';
import { describeInstall, lastInstallStatus, parseInstallStatus } from '../../iso-builder/installer/install-status.ts';

const EPOCH = 1735689600;

/** What the refusals run on: a deployment's platform ISO and one node's seed, as built for it. */
export interface RefusalMedia {
  deployment: string;
  node: string;
  iso: string;
  seed: string;
}

/**
 * The installer's refusals, in one boot of the real platform ISO in a VM:
 * its live system is booted without the install flag, and the installer
 * (the script the ISO carries) is run by hand once per case, each with what
 * makes it refuse: no seed, a seed for another deployment, a disk too small
 * for the image, a disk holding someone else's data, an image whose checksum
 * does not match. Each time it must say why (its console line and its status
 * file) and leave the disk byte for byte as it was. Only its last step is
 * kept from acting: powering the VM off (a `systemctl` that only notes it
 * was asked, first on its PATH), so the next case runs in the same boot.
 */
export function describeInstallerRefusals(media: () => RefusalMedia): void {
  describe('the installer refuses, in one live boot of the same ISO, each case with the disk untouched', () => {
    let dir: string;
    let vm: RunningVm | undefined;
    let agent: GuestAgent;
    let m: RefusalMedia;
    const seeds: Record<string, string> = {};

    /** A shell line in the live system, through its guest agent. */
    const sh = async (script: string, opts: { input?: string; timeoutMs?: number } = {}) =>
      agent.exec(['sh', '-c', script], { timeoutMs: opts.timeoutMs ?? 120_000, ...opts });
    const diskHash = async () => {
      const r = await sh('head -c 64M /dev/sda | sha256sum');
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.split(' ')[0]!;
    };
    /** Attaches a seed the way the node's second CD-ROM would appear: a read-only block device labelled KDSEED. */
    const withSeed = async (name: string | undefined, run: () => Promise<void>) => {
      if (!name) return run();
      const data = fs.readFileSync(seeds[name]!).toString('base64');
      const put = await sh(`base64 -d >/run/t/${name}.iso && losetup -f --show -r /run/t/${name}.iso`, { input: data });
      assert.equal(put.code, 0, put.stderr);
      const loop = put.stdout.trim();
      await until(
        'the seed labelled KDSEED',
        async () => ((await sh('udevadm settle; test -e /dev/disk/by-label/KDSEED')).code === 0 ? true : undefined),
        60_000,
      );
      try {
        await run();
      } finally {
        await sh(`umount /run/kubedos/seed 2>/dev/null; losetup -d ${loop}; udevadm settle`);
      }
    };
    /** Runs the installer as the live system would, but for its power-off; what it said and left. */
    const install = async () => {
      const r = await sh(
        `rm -f /run/kubedos-install.status /run/t/poweroff-asked; touch /run/kubedos-install.seen; PATH=/root/t/bin:$PATH ${NODE_PATHS.installer} 2>&1; echo "exit $?"; test -e /run/t/poweroff-asked && echo 'asked to power off'; cat /run/kubedos-install.status`,
        { timeoutMs: 10 * 60_000 },
      );
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    const refuses = async (seed: string | undefined, why: RegExp) => {
      const before = await diskHash();
      let said = '';
      await withSeed(seed, async () => {
        said = await install();
      });
      assert.match(said, /kubedos-install: REFUSED: /, said);
      assert.match(said, /nothing was written to the disk/, said);
      assert.match(said, /^exit 1$/m, said);
      assert.match(said, /^asked to power off$/m, 'it ended as it does: asking the machine to power off');
      const written = parseInstallStatus(said.split('\n').filter(Boolean).at(-1)!);
      assert.ok(written, `the status file holds the installer's JSON status:\n${said}`);
      const status = describeInstall(written);
      assert.match(status, /^refused: /, said);
      assert.match(status, why, said);
      assert.equal(lastInstallStatus(said)?.reason, written.reason, 'the console says the same status');
      assert.equal(await diskHash(), before, 'the disk is byte for byte as it was');
      console.log(`      ${status}`);
    };

    before(async () => {
      m = media();
      dir = tempDir('refusals');
      await execa('xorriso', ['-osirrox', 'on', '-indev', m.seed, '-extract', '/seed.env', path.join(dir, 'seed.env')]);
      const env = fs.readFileSync(path.join(dir, 'seed.env'), 'utf8');
      const minDiskBytes = Number(/^KUBEDOS_MIN_DISK_BYTES=(\d+)$/m.exec(env)?.[1]);
      assert.ok(minDiskBytes > 0, env);
      seeds.node = m.seed;
      const settings = { deployment: m.deployment, node: m.node, disk: 'auto', wipe: false, minDiskBytes };
      const files = [{ path: '/etc/hostname', mode: 0o644, content: `${m.node}\n` }];
      seeds.other = path.join(dir, 'other.iso');
      await writeSeedMedium({
        output: seeds.other,
        settings: { ...settings, deployment: 'another-lab' },
        files,
        epoch: EPOCH,
      });
      seeds.huge = path.join(dir, 'huge.iso');
      await writeSeedMedium({
        output: seeds.huge,
        settings: { ...settings, minDiskBytes: 2 ** 40 },
        files,
        epoch: EPOCH,
      });
      // The ISO's own kernel and initrd, booted without the install flag.
      for (const f of ['vmlinuz', 'initrd.img'])
        await execa('xorriso', ['-osirrox', 'on', '-indev', m.iso, '-extract', `/live/${f}`, path.join(dir, f)]);
      const disk = path.join(dir, 'disk.qcow2');
      const bytes = Math.max(16 * 2 ** 30, minDiskBytes + 2 ** 30);
      await execa('qemu-img', ['create', '-q', '-f', 'qcow2', disk, String(bytes)]);
      vm = await launchVm(
        {
          name: 'refusals',
          cores: 2,
          memoryMiB: 2048,
          iso: m.iso,
          disk,
          directKernel: {
            kernel: path.join(dir, 'vmlinuz'),
            initrd: path.join(dir, 'initrd.img'),
            append: LIVE_KERNEL_ARGS.split(' ')
              .filter((a) => a !== 'kubedos.install')
              .join(' '),
          },
        },
        { dir: path.join(dir, 'vm') },
      );
      agent = new GuestAgent(vm.paths.qgaSocket);
      const started = Date.now();
      await until('the live system’s guest agent', async () => ((await agent.ping()) ? true : undefined), 15 * 60_000);
      console.log(`      live system up under ${vm.accel} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
      const prep = await sh(
        // /run is noexec in the live system (a shell would pass the stand-in by for the real one): the root's overlay.
        "mkdir -p /run/t /root/t/bin && printf '#!/bin/sh\\ntouch /run/t/poweroff-asked\\n' >/root/t/bin/systemctl && " +
          `chmod 755 /root/t/bin/systemctl && /root/t/bin/systemctl && rm /run/t/poweroff-asked && test -x ${NODE_PATHS.installer}`,
      );
      assert.equal(prep.code, 0, prep.stderr);
    });
    afterEach(function () {
      if (this.currentTest?.state === 'failed' && vm)
        process.stderr.write(
          `--- console, last lines:\n${vm.consoleText().split('\n').slice(-25).join('\n')}\n--- QEMU said: ${vm.stderr().trim()}\n`,
        );
    });
    after(async () => {
      await vm?.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('no seed medium attached', async () => {
      await refuses(undefined, /no seed medium \(a CD-ROM labelled KDSEED\)/);
    });

    it('a seed for another deployment', async () => {
      await refuses('other', new RegExp(`the seed is for deployment 'another-lab', this ISO is for '${m.deployment}'`));
    });

    it('a disk too small for the image', async () => {
      await refuses('huge', /disk \/dev\/sda has \d+ MiB, the image needs at least \d+ MiB/);
    });

    it('a disk with someone else’s data (a DOS table and a filesystem), without wipe', async () => {
      const r = await sh(
        "printf 'label: dos\\n,,L\\n' | sfdisk -q /dev/sda && udevadm settle && mkfs.ext4 -q -F /dev/sda1",
      );
      assert.equal(r.code, 0, r.stderr);
      await refuses('node', /disk \/dev\/sda has data \(dos\): set wipe for this node to overwrite it/);
    });

    it('an image that does not match its checksum', async () => {
      // A blank disk again; the ISO's record of the image says another checksum (a damaged ISO).
      const r = await sh(
        'wipefs -q -a /dev/sda1 && wipefs -q -a /dev/sda && udevadm settle && cp /run/live/medium/kubedos/deployment.env /run/t/deployment.env && ' +
          "sed -i 's/^KUBEDOS_IMAGE_SHA256=.*/KUBEDOS_IMAGE_SHA256=" +
          '0'.repeat(64) +
          "/' /run/t/deployment.env && mount --bind /run/t/deployment.env /run/live/medium/kubedos/deployment.env",
      );
      assert.equal(r.code, 0, r.stderr);
      await refuses('node', /the image on the ISO does not match its checksum/);
    });
  });
}
