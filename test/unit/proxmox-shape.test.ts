import assert from 'node:assert/strict';
import path from 'node:path';
import { encodeForm } from '../../deploy/substrates/proxmox/api-client.ts';
import { placeNodes } from '../../deploy/substrates/proxmox/placement.ts';
import { compareConfig, desiredConfig } from '../../deploy/substrates/proxmox/vm-shape.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { checkRequest } from '../support/proxmox/api-schema.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const t = loadTopology(path.join(REPO, 'examples/platform-16.yaml'));
const node = t.nodes.find((n) => n.hostname === 'cp-1')!;
const want = desiredConfig(t, node, { iso: 'local:iso/p.iso', seed: 'local:iso/s.iso' });
const asParams = (c: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(c).map(([k, v]) => [k, String(v)]));

describe('Proxmox VM shape, placement and the schema check', () => {
  it('the desired VM passes the official schema of PVE 9.1 and 8.4', () => {
    for (const v of ['9.1', '8.4'] as const)
      assert.deepEqual(checkRequest(v, 'POST', '/nodes/pve1/qemu', { vmid: String(node.vmid), ...asParams(want) }), []);
  });

  it('the schema check fails what Proxmox would refuse', () => {
    const bad = (extra: Record<string, string>) =>
      checkRequest('9.1', 'POST', '/nodes/pve1/qemu', { vmid: '1021', ...asParams(want), ...extra });
    assert.match(bad({ bios: 'uefi' }).join(), /bios="uefi": not one of seabios, ovmf/);
    assert.match(bad({ efidisk0: 'local-lvm:1,efitype=8m' }).join(), /efitype="8m": not one of 2m, 4m/);
    assert.match(bad({ efidisk0: 'local-lvm:1,secureboot=1' }).join(), /unknown sub-key secureboot/);
    assert.match(bad({ net0: 'virtio=53:54:00:00:00:01,bridge=vmbr0' }).join(), /not a valid mac-addr/);
    assert.match(bad({ cpus: '2' }).join(), /unknown parameter cpus/);
    assert.match(checkRequest('9.1', 'POST', '/nodes/pve1/qemu', {}).join(), /vmid is required/);
    assert.match(checkRequest('9.1', 'POST', '/nodes/pve1/qemu/100/resize', {}).join(), /no such path/);
    assert.match(
      checkRequest('9.1', 'DELETE', '/nodes/pve1/qemu/100', { purge: 'yes please' }).join(),
      /not a boolean/,
    );
  });

  it('form values are percent-encoded (Proxmox splits a raw body on & and ;)', () => {
    assert.equal(
      encodeForm({ boot: 'order=scsi0;ide2', agent: true, purge: false }),
      'boot=order%3Dscsi0%3Bide2&agent=1&purge=0',
    );
    assert.equal(encodeForm({ command: ['sh', '-c', 'a&b'] }), 'command=sh&command=-c&command=a%26b');
  });

  it('what Proxmox adds to a config (size=, ms-cert, vmgenid, meta, firewall, MAC case) is not drift', () => {
    const have = {
      ...want,
      efidisk0: 'local-lvm:vm-1021-disk-0,efitype=4m,ms-cert=2023k,pre-enrolled-keys=1,size=528K',
      tpmstate0: 'local-lvm:vm-1021-disk-1,size=4M,version=v2.0',
      scsi0: 'local-lvm:vm-1021-disk-2,iothread=1,size=64G',
      net0: `${String(want.net0).replace(/virtio=([^,]+)/, (_, m: string) => `virtio=${m.toUpperCase()}`)},firewall=1`,
      machine: 'pc-q35-9.2+pve1',
      vmgenid: 'x',
      meta: 'creation-qemu=9.2.0,ctime=1',
      digest: 'abc',
      tags: 'kubedos-platform-16;kubedos',
      agent: '1',
      cores: 4,
    };
    assert.deepEqual(compareConfig(want, have), []);
    const drift = compareConfig(want, {
      ...have,
      memory: '4096',
      scsi0: 'local-lvm:vm-1021-disk-2,size=32G',
      smbios1: 'uuid=00000000-0000-4000-8000-000000000000',
    });
    assert.deepEqual(
      drift.map((d) => [d.key, d.rebuild]),
      [
        ['memory', false],
        ['scsi0', true],
        ['smbios1', true],
      ],
    );
  });

  it('spreads etcd, control planes and load balancers over the Proxmox nodes, and says when it cannot', () => {
    const three = { ...t, proxmox: { ...t.proxmox, nodes: ['a', 'b', 'c'] } };
    const p = placeNodes(three);
    for (const role of ['etcd', 'cp', 'lb'])
      assert.equal(new Set(t.nodes.filter((n) => n.role === role).map((n) => p.node.get(n.hostname))).size, 3);
    assert.deepEqual(p.warnings, []);
    const two = placeNodes({ ...t, proxmox: { ...t.proxmox, nodes: ['a', 'b'] } });
    assert.match(
      two.warnings.join('\n'),
      /2 etcd nodes share Proxmox node a .*2 Proxmox nodes for 3; losing a loses etcd's quorum/,
    );
    const pinned = placeNodes({ ...three, nodes: t.nodes.map((n) => (n.role === 'cp' ? { ...n, pveNode: 'b' } : n)) });
    assert.match(pinned.warnings.join('\n'), /3 cp nodes share Proxmox node b .*set their pveNode apart/);
  });
});
