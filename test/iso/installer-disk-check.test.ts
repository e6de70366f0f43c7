import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { tempDir } from '../support/hub-fixture.ts';
import { requireSystem } from '../support/requirements.ts';

const SCRIPT = path.resolve(import.meta.dirname, '../../iso-builder/installer/kubedos-install.sh');
const ROOT_UUID = '0b5c2d3e-4f50-4a61-8b72-9c83d4e5f607';
const ESP_ID = '1a2b3c4d';

/** The installer's own disk functions, cut from the script as it ships (each from `name() {` to its `}`). */
function installerFunctions(): string {
  const text = fs.readFileSync(SCRIPT, 'utf8');
  return ['partitions', 'part_named', 'part_names', 'check_disk', 'lock_disk']
    .map((name) => {
      const start = text.indexOf(`${name}() {`);
      assert.ok(start >= 0, `${name} is in the installer`);
      const oneLine = text.indexOf('\n', start);
      if (text.slice(start, oneLine).trimEnd().endsWith('}')) return text.slice(start, oneLine);
      const end = text.indexOf('\n}\n', start);
      return text.slice(start, end + 2);
    })
    .join('\n');
}

/**
 * What the installer decides about the disk it was given, before it writes
 * a byte: run on real block devices (loop devices over files) with its own
 * functions, the live system's say/status/refuse/finish replaced by lines
 * the test reads. Root: loop devices, mkfs, mount.
 */
describe('installer: what it takes a disk to hold', function () {
  this.timeout(120_000);
  let dir: string;
  let loop: string | undefined;

  before(function () {
    requireSystem(this, {
      root: true,
      commands: ['losetup', 'sfdisk', 'partx', 'blkid', 'lsblk', 'mkfs.ext4', 'mkfs.vfat', 'mount'],
    });
    dir = tempDir('installer-disk');
  });
  afterEach(async () => {
    if (loop) await execa('losetup', ['-d', loop], { reject: false });
    loop = undefined;
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  async function disk(prepare: (dev: string) => Promise<void>): Promise<string> {
    const file = path.join(dir, 'disk.img');
    fs.rmSync(file, { force: true });
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 96 * 1024 * 1024);
    loop = (await execa('losetup', ['-f', '--show', '-P', file])).stdout.trim();
    await prepare(loop);
    return loop;
  }

  async function ours(dev: string): Promise<void> {
    await execa('sfdisk', ['--quiet', '--label', 'gpt', dev], {
      input: 'size=16MiB, type=U, name=kubedos-esp\ntype=L, name=kubedos-root\n',
    });
    await execa('partx', ['-u', dev], { reject: false });
  }

  /** Runs check_disk as the installer does, on this disk; what it said and how it ended. */
  async function decide(dev: string, env: { WIPE?: string } = {}): Promise<{ lines: string; code: number }> {
    const harness = `
set -euo pipefail
say() { printf 'say: %s\\n' "$*"; }
status() { printf 'status: %s\\n' "$*"; }
finish() { printf 'finish %s\\n' "$1"; exit "$1"; }
refuse() { printf 'refused: %s\\n' "$*"; exit 3; }
DISK=${JSON.stringify(dev)} WIPE=${JSON.stringify(env.WIPE ?? '0')}
KUBEDOS_DEPLOYMENT=lab NODE=w-1 ROOT_UUID=${ROOT_UUID} ESP_ID=${ESP_ID}
REINSTALL=0
WIPING=0
${installerFunctions()}
check_disk
printf 'go REINSTALL=%s WIPING=%s\\n' "$REINSTALL" "$WIPING"
`;
    const r = await execa('bash', ['-c', harness], { reject: false });
    return { lines: `${r.stdout}${r.stderr}`, code: r.exitCode ?? 1 };
  }

  /** An installer that takes the disk's lock as the script does (waiting at most `wait` s), then runs `then`. */
  const locker = (dev: string, wait: number, then: string) =>
    execa(
      'bash',
      [
        '-c',
        `set -euo pipefail
refuse() { printf 'refused: %s\\n' "$*"; exit 3; }
DISK=${JSON.stringify(dev)} LOCK_WAIT=${wait}
${installerFunctions()}
lock_disk
${then}`,
      ],
      { reject: false },
    );

  it('holds the disk locked for its whole run: a second installer refuses it before it looks at it', async () => {
    const dev = await disk(async () => {});
    // The first installer: the lock taken, and kept while it would write.
    const first = locker(dev, 30, 'echo locked\nexec sleep 60');
    await new Promise<void>((resolve) => first.stdout!.on('data', (d: Buffer) => d.includes('locked') && resolve()));
    const second = await locker(dev, 1, 'echo took it');
    assert.equal(second.exitCode, 3, second.stdout + second.stderr);
    assert.match(second.stdout, /refused: disk .* is locked by another program/);
    first.kill();
    await first;
    // Once the first has ended, the disk is free again.
    const third = await locker(dev, 5, 'echo took it');
    assert.equal(third.exitCode, 0, third.stdout + third.stderr);
    assert.match(third.stdout, /took it/);
  });

  it('takes a blank disk', async () => {
    const r = await decide(await disk(async () => {}));
    assert.equal(r.code, 0, r.lines);
    assert.match(r.lines, /go REINSTALL=0 WIPING=0/);
  });

  it('refuses a disk with a filesystem unless wipe, and refuses an ambivalent one (blkid exit 8) too', async () => {
    const ext4 = await disk((d) => execa('mkfs.ext4', ['-q', '-F', d]).then(() => {}));
    assert.match((await decide(ext4)).lines, /refused: disk .* has data \(.*set wipe/);
    assert.match((await decide(ext4, { WIPE: '1' })).lines, /say: wiping .*\ngo REINSTALL=0 WIPING=1/);
    await execa('losetup', ['-d', ext4]);
    // A FAT filesystem with an ext4 superblock inside it: blkid finds both, says neither, exits 8.
    const ambivalent = await disk(async (d) => {
      await execa('mkfs.vfat', ['-F', '32', d]);
      const other = path.join(dir, 'other.img');
      fs.writeFileSync(other, '');
      fs.truncateSync(other, 64 * 1024 * 1024);
      await execa('mkfs.ext4', ['-q', '-F', other]);
      const fd = fs.openSync(d, 'r+');
      fs.writeSync(fd, fs.readFileSync(other).subarray(1024, 2048), 0, 1024, 1024);
      fs.closeSync(fd);
    });
    const probe = await execa('blkid', ['-p', ambivalent], { reject: false });
    assert.equal(probe.exitCode, 8, 'the disk is ambivalent to blkid');
    const r = await decide(ambivalent);
    assert.equal(r.code, 3, r.lines);
    assert.match(r.lines, /refused: disk .* has data \(signatures blkid cannot tell apart \(exit 8\)/);
  });

  it('installs again over its own install cut short (partitioned, formatted by this seed, no marker), without wipe', async () => {
    const bare = await disk(ours);
    const r = await decide(bare);
    assert.equal(r.code, 0, r.lines);
    assert.match(r.lines, /this node's own install, cut short.*\n.*go REINSTALL=1 WIPING=0/s);
    await execa('mkfs.ext4', ['-q', '-F', '-U', ROOT_UUID, `${bare}p2`]);
    await execa('mkfs.vfat', ['-F', '32', '-i', ESP_ID, `${bare}p1`]);
    assert.match((await decide(bare)).lines, /go REINSTALL=1/);
  });

  it('refuses our partitions formatted for another node, and says an installed node is installed', async () => {
    const other = await disk(async (d) => {
      await ours(d);
      await execa('mkfs.ext4', ['-q', '-F', '-U', '99999999-8888-4777-8666-555555555555', `${d}p2`]);
    });
    assert.match((await decide(other)).lines, /refused: disk .* has data \(gpt/);
    // This node, installed: the marker the installer writes last.
    const mnt = path.join(dir, 'mnt');
    fs.mkdirSync(mnt, { recursive: true });
    await execa('mkfs.ext4', ['-q', '-F', '-U', ROOT_UUID, `${other}p2`]);
    await execa('mount', [`${other}p2`, mnt]);
    fs.mkdirSync(path.join(mnt, 'etc/kubedos'), { recursive: true });
    fs.writeFileSync(path.join(mnt, 'etc/kubedos/installed'), 'lab w-1\n');
    await execa('umount', [mnt]);
    const r = await decide(other);
    assert.equal(r.code, 0, r.lines);
    assert.match(r.lines, /already holds node w-1 of lab.*\nstatus: installed already.*\nfinish 0/s);
    // Another node's install is data like any other.
    await execa('mount', [`${other}p2`, mnt]);
    fs.writeFileSync(path.join(mnt, 'etc/kubedos/installed'), 'lab w-2\n');
    await execa('umount', [mnt]);
    assert.match((await decide(other)).lines, /refused: .*installed as 'lab w-2'/);
  });
});
