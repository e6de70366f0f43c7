import assert from 'node:assert/strict';
import path from 'node:path';
import { nodeStatuses } from '../../hub/admin/node-status.ts';
import { renderStatus } from '../../hub/cli/render-status.ts';
import { importInventory } from '../../hub/state/inventory.ts';
import { CORE_MIGRATIONS } from '../../hub/state/migrations.ts';
import { openHubDb } from '../../hub/state/open-db.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { tempDir } from '../support/hub-fixture.ts';
import type { Facts__Output } from '../../proto/gen/kubedos/v1/Facts.ts';
import type { HubMessage } from '../../proto/gen/kubedos/v1/HubMessage.ts';
import { SessionRegistry, type SessionCall } from '../../hub/sessions/registry.ts';
import { lanInterfaceOf } from '../../shared/net/lan-interface.ts';

function fakeCall(): SessionCall {
  return { getPeer: () => 'test', write: (_m: HubMessage) => true, end: () => {} } as unknown as SessionCall;
}

const facts = (nic: string, address: string) =>
  ({ interfaces: [{ name: nic, addresses: [address] }] }) as unknown as Facts__Output;

/**
 * A session opens before the node's hello (its facts) arrives. What is
 * rendered from facts (the LAN interface keepalived and the firewall name)
 * must wait for the node's word, and keep it across the node's next session
 * (the move from the LAN to wg1), or a plan made in that moment names the
 * default interface on a node that has another (the nspawn lab's flake:
 * keepalived on "ens18" in a container with host0).
 */
describe('hub sessions: a node’s facts, waited for and kept', () => {
  it('waits for a connected node’s first facts, and not for a node that is not connected', async () => {
    const r = new SessionRegistry();
    const s = r.attach('lb-1', fakeCall(), Date.now());
    let done = false;
    const waiting = r.factsOfConnected(['lb-1', 'lb-2'], 10_000).then(() => (done = true));
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(done, false, 'lb-1 is connected without facts: wait');
    r.setFacts('lb-1', s, facts('host0', '10.10.0.51'));
    await waiting;
    assert.equal(lanInterfaceOf(r.get('lb-1')!.facts, '10.10.0.51'), 'host0');
  });

  it('keeps a node’s facts for its next session until that one says them again', () => {
    const r = new SessionRegistry();
    const call = fakeCall();
    const first = r.attach('lb-1', call, Date.now());
    r.setFacts('lb-1', first, facts('host0', '10.10.0.51'));
    r.detach('lb-1', call);
    const second = r.attach('lb-1', fakeCall(), Date.now());
    assert.equal(lanInterfaceOf(second.facts, '10.10.0.51'), 'host0');
  });

  it('gives up after its limit when a node never says', async () => {
    const r = new SessionRegistry();
    r.attach('lb-1', fakeCall(), Date.now());
    const started = Date.now();
    await r.factsOfConnected(['lb-1'], 100);
    assert.ok(Date.now() - started >= 90);
    assert.equal(r.get('lb-1')!.facts, null);
  });
});

describe('hub sessions: a LAN interface name a node reports is data, refused unless it is one', () => {
  it('keeps real interface names and refuses a secret reference, shell or config syntax, an overlong name', () => {
    for (const nic of ['ens18', 'host0', 'enp0s31f6', 'eth0', 'br-lan.10', 'wlan_0'])
      assert.equal(lanInterfaceOf(facts(nic, '10.10.0.51'), '10.10.0.51'), nic);
    for (const nic of [
      '${secret:pki-kubernetes-ca-key}',
      'eth0; rm -rf /',
      'eth0\n    virtual_ipaddress',
      'eth0"',
      'a'.repeat(16),
      '',
      '-eth0',
    ])
      assert.equal(lanInterfaceOf(facts(nic, '10.10.0.51'), '10.10.0.51'), undefined, JSON.stringify(nic));
  });
});

describe('hubctl status names a node whose report the hub refused, and what it refused', () => {
  it('shows lb-1 and its refused interface name, and nothing for a node that reported a real one', () => {
    const t = loadTopology();
    const db = openHubDb(path.join(tempDir('refused-facts'), 'hub.db'), [...CORE_MIGRATIONS]);
    try {
      importInventory(db, t, {
        deployment: t.name,
        nodes: t.nodes.map((n) => ({ node: n.hostname, credentialPublicKey: Buffer.alloc(32).toString('base64') })),
      });
      const r = new SessionRegistry();
      const ip = (node: string) => t.nodes.find((n) => n.hostname === node)!.ip;
      r.setFacts(
        'lb-1',
        r.attach('lb-1', fakeCall(), Date.now()),
        facts('${secret:pki-kubernetes-ca-key}', ip('lb-1')),
      );
      r.setFacts('lb-2', r.attach('lb-2', fakeCall(), Date.now()), facts('host0', ip('lb-2')));
      const { nodes, summary } = nodeStatuses(db, r, 5_000, Date.now());
      const refused = Object.fromEntries(nodes.filter((n) => n.refused!.length).map((n) => [n.name, n.refused]));
      assert.deepEqual(refused, {
        'lb-1': [
          'its LAN interface name "${secret:pki-kubernetes-ca-key}" is not one (at most 15 of A-Z a-z 0-9 _ . -)',
        ],
      });
      const text = renderStatus({
        deployment: t.name,
        nowMs: Date.now(),
        nodes,
        summary,
        windows: [],
        kubernetesError: '',
      } as unknown as StatusResponse__Output);
      assert.match(text, /^lb-1: refused: its LAN interface name "\$\{secret:pki-kubernetes-ca-key\}" is not one/m);
    } finally {
      db.close();
    }
  });
});
