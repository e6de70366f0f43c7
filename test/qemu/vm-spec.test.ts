import assert from 'node:assert/strict';
import { qemuArgs, OVMF_CODE_SECBOOT, type VmPaths } from '../../deploy/substrates/qemu/vm-spec.ts';

const paths: VmPaths = {
  ovmfVars: '/vm/OVMF_VARS.fd',
  tpmSocket: '/vm/tpm/swtpm.sock',
  consoleLog: '/vm/console.log',
  qgaSocket: '/vm/qga.sock',
  qmpSocket: '/vm/qmp.sock',
};

function valueOf(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));
}

describe('qemu: Proxmox-shaped VM arguments', function () {
  const args = qemuArgs(
    {
      name: 'lb-1',
      cores: 2,
      memoryMiB: 2048,
      iso: '/isos/lb-1.iso',
      disk: '/vm/disk.qcow2',
      smbiosUuid: '6f1c7d2e-0000-4000-8000-000000000001',
      forwards: [{ guestIp: '10.0.2.10', guestPort: 7443, hostIp: '127.0.0.1', hostPort: 17443 }],
    },
    paths,
    'tcg',
  );

  it('is a q35 machine with SMM and Secure Boot OVMF plus its own variables copy', function () {
    assert.deepEqual(valueOf(args, '-machine'), ['q35,smm=on']);
    assert.deepEqual(valueOf(args, '-accel'), ['tcg,thread=single']);
    assert.ok(valueOf(args, '-global').includes('driver=cfi.pflash01,property=secure,value=on'));
    assert.deepEqual(valueOf(args, '-drive').slice(0, 2), [
      `if=pflash,unit=0,format=raw,readonly=on,file=${OVMF_CODE_SECBOOT}`,
      'if=pflash,unit=1,format=raw,file=/vm/OVMF_VARS.fd',
    ]);
  });

  it('has a TPM 2.0 from swtpm, a guest agent channel, a serial console to a file', function () {
    assert.ok(valueOf(args, '-chardev').includes('socket,id=tpmchar,path=/vm/tpm/swtpm.sock'));
    assert.ok(valueOf(args, '-device').includes('tpm-tis,tpmdev=tpmdev'));
    assert.ok(valueOf(args, '-device').includes('virtserialport,chardev=qga0,name=org.qemu.guest_agent.0'));
    assert.ok(valueOf(args, '-chardev').includes('socket,id=qga0,path=/vm/qga.sock,server=on,wait=off'));
    assert.deepEqual(valueOf(args, '-serial'), ['chardev:console']);
    assert.ok(valueOf(args, '-chardev').includes('file,id=console,path=/vm/console.log'));
  });

  it('attaches the ISO as the ide2 CD-ROM booted first, the disk on virtio-scsi, the SMBIOS UUID', function () {
    assert.ok(
      valueOf(args, '-device').some(
        (d) => d.startsWith('ide-cd,bus=ide.1,unit=0,drive=drive-ide2') && d.includes('bootindex=100'),
      ),
    );
    assert.ok(
      valueOf(args, '-device').some(
        (d) => d.startsWith('scsi-hd,bus=scsihw0.0,drive=drive-scsi0') && d.includes('bootindex=200'),
      ),
    );
    assert.deepEqual(valueOf(args, '-smbios'), ['type=1,uuid=6f1c7d2e-0000-4000-8000-000000000001']);
  });

  it('restricts user networking to forwards onto the host loopback', function () {
    assert.deepEqual(valueOf(args, '-netdev'), [
      'user,id=net0,restrict=on,guestfwd=tcp:10.0.2.10:7443-tcp:127.0.0.1:17443',
    ]);
  });

  it('boots the disk first after install', function () {
    const after = qemuArgs(
      { name: 'x', cores: 1, memoryMiB: 512, iso: '/i.iso', disk: '/d.qcow2', bootFrom: 'disk' },
      paths,
      'kvm',
    );
    assert.ok(valueOf(after, '-device').some((d) => d.startsWith('scsi-hd') && d.endsWith('bootindex=100')));
    assert.ok(!valueOf(after, '-device').some((d) => d.startsWith('ide-cd') && d.includes('bootindex')));
    assert.deepEqual(valueOf(after, '-cpu'), ['host']);
  });

  it("boots Proxmox's order=scsi0;ide2: the disk, then the CD when the disk has no system", function () {
    const args = qemuArgs(
      { name: 'x', cores: 1, memoryMiB: 512, iso: '/i.iso', disk: '/d.qcow2', bootFrom: 'disk-then-cdrom' },
      paths,
      'tcg',
    );
    assert.ok(valueOf(args, '-device').some((d) => d.startsWith('scsi-hd') && d.endsWith('bootindex=100')));
    assert.ok(valueOf(args, '-device').some((d) => d.startsWith('ide-cd') && d.endsWith('id=ide2,bootindex=101')));
  });
});
