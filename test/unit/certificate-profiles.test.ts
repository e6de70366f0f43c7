import assert from 'node:assert/strict';
import path from 'node:path';
import { certificateProfile, CertificateRefused } from '../../hub/pki/certificate-signer.ts';
import { loadTopology } from '../../shared/topology/load.ts';

const t = loadTopology(path.resolve(import.meta.dirname, '../../examples/platform-16.yaml'));

/** The profiles each role may have signed; every other name, for every role, is refused. */
const MAY: Record<string, string[]> = {
  etcd: ['etcd-server', 'etcd-peer', 'etcd-healthcheck-client'],
  cp: ['apiserver-etcd-client'],
};
const NAMES = [
  'etcd-server',
  'etcd-peer',
  'etcd-healthcheck-client',
  'apiserver-etcd-client',
  // What a plain object would answer for: none is a profile.
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
];

describe('certificate profiles: what a node of each role may have signed', () => {
  for (const role of [...new Set(t.nodes.map((n) => n.role))]) {
    const node = t.nodes.find((n) => n.role === role)!.hostname;
    it(`${role} (${node}): ${(MAY[role] ?? []).join(', ') || 'nothing'}, and nothing else`, () => {
      for (const name of NAMES) {
        if ((MAY[role] ?? []).includes(name)) {
          assert.ok(certificateProfile(t, node, name).commonName, `${role} gets ${name}`);
        } else {
          assert.throws(() => certificateProfile(t, node, name), CertificateRefused, `${role} is refused "${name}"`);
        }
      }
    });
  }
});
