import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parse, stringify } from 'yaml';
import { DEFAULT_TOPOLOGY, TopologyError, loadTopology, parseTopology } from '../../shared/topology/load.ts';
import { intendedPlaneAddresses } from '../../shared/planes/addressing.ts';

// A topology as loose YAML data, so tests can break it in any way.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;

const base = () => parse(fs.readFileSync(DEFAULT_TOPOLOGY, 'utf8')) as Doc;

function problems(mutate: (t: Doc) => void): string[] {
  const t = base();
  mutate(t);
  try {
    parseTopology(stringify(t), 'edited.yaml');
  } catch (err) {
    assert.ok(err instanceof TopologyError, `expected a TopologyError, got ${String(err)}`);
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

function node(t: Doc, name: string) {
  return t.nodes.find((n: { hostname: string }) => n.hostname === name);
}

describe('topology', () => {
  it('loads the 16-node platform with distinct plane addresses', () => {
    const t = loadTopology();
    assert.equal(t.nodes.length, 16);
    const addrs = t.nodes.flatMap((n) => intendedPlaneAddresses(t, n).map((a) => a.address));
    assert.equal(new Set(addrs).size, 48);
    assert.deepEqual(
      intendedPlaneAddresses(
        t,
        t.nodes.find((n) => n.role === 'master')!,
      ).map((a) => a.address),
      ['10.78.0.1', '10.79.0.1', '10.80.0.1'],
    );
  });

  const cases: Array<[string, (t: Doc) => void, RegExp]> = [
    [
      'duplicate VMID',
      (t) => (node(t, 'w-2').vmid = node(t, 'w-1').vmid),
      /nodes\[11\]\.vmid: VMID 1031 is also used by nodes\[10\]/,
    ],
    ['duplicate hostname', (t) => (node(t, 'w-2').hostname = 'w-1'), /hostname w-1 is also used/],
    ['duplicate IP', (t) => (node(t, 'w-2').ip = '10.10.0.41'), /IP 10\.10\.0\.41 is also used/],
    [
      'duplicate plane host number',
      (t) => (node(t, 'w-2').planeHost = 41),
      /plane host number 41 is also taken by nodes\[10\] \(w-1\)/,
    ],
    [
      'IP outside the LAN',
      (t) => (node(t, 'w-1').ip = '192.168.1.5'),
      /nodes\[10\]\.ip: 192\.168\.1\.5 is outside the LAN 10\.10\.0\.0\/24/,
    ],
    ['VIP on a node', (t) => (t.apiVip = '10.10.0.41'), /nodes\[10\]\.ip: 10\.10\.0\.41 is the API VIP/],
    [
      'overlapping planes',
      (t) => (t.planes[1].cidr = '10.78.0.0/16'),
      /planes\[1\]\.cidr: 10\.78\.0\.0\/16 overlaps planes\[0\]/,
    ],
    ['plane overlapping the LAN', (t) => (t.planes[2].cidr = '10.10.0.0/24'), /overlaps lan\.cidr/],
    [
      'HA core of 2 etcd',
      (t) => (t.nodes = t.nodes.filter((n: { hostname: string }) => n.hostname !== 'etcd-3')),
      /the HA core needs 3 etcd nodes, found 2/,
    ],
    [
      'unknown role',
      (t) => (node(t, 'w-1').role = 'database'),
      /nodes\[10\]\.role: must be equal to one of the allowed values \(one of master, /,
    ],
    ['unknown field', (t) => (node(t, 'w-1').colour = 'red'), /must NOT have additional properties "colour"/],
    [
      'plane host beyond the plane',
      (t) => (node(t, 'w-1').planeHost = 300),
      /does not fit plane wg1 .* the pool is exhausted/,
    ],
    ['two masters', (t) => (node(t, 'prometheus').role = 'master'), /exactly one master is required, found 2/],
    ['CIDR with host bits', (t) => (t.lan.cidr = '10.10.0.5/24'), /has host bits set/],
    [
      'a pod CIDR too small for a /24 per node',
      (t) => (t.kubernetes.podCidr = '10.244.0.0/20'),
      /kubernetes\.podCidr: 10\.244\.0\.0\/20 is too small: .*w-3's is 43; give a \/18 or larger/,
    ],
  ];
  for (const [name, mutate, expected] of cases) {
    it(`rejects ${name}`, () => {
      const found = problems(mutate);
      assert.ok(
        found.some((p) => expected.test(p)),
        `expected ${expected} among:\n${found.join('\n')}`,
      );
    });
  }

  it('permits a non-HA core only when asked to', () => {
    const shrink = (t: Doc) =>
      (t.nodes = t.nodes.filter((n: { hostname: string }) => !['etcd-2', 'etcd-3', 'cp-3'].includes(n.hostname)));
    assert.ok(problems(shrink).length > 0);
    assert.deepEqual(
      problems((t) => {
        shrink(t);
        t.allowNonHaCore = true;
      }),
      [],
    );
  });

  it('names the file, the line and the field', () => {
    const text = fs.readFileSync(DEFAULT_TOPOLOGY, 'utf8').replace('ip: 10.10.0.42,', 'ip: 10.10.7.42,');
    try {
      parseTopology(text, 'platform.yaml');
      assert.fail('should not load');
    } catch (err) {
      assert.ok(err instanceof TopologyError);
      assert.match(err.message, /platform\.yaml:\d+: nodes\[11\]\.ip: 10\.10\.7\.42 is outside the LAN/);
      const line = err.issues[0]!.line!;
      assert.match(text.split('\n')[line - 1]!, /w-2/);
    }
  });

  it('reports YAML syntax errors with their line, and unreadable files clearly', () => {
    assert.throws(() => parseTopology('name: x\nlan: [unclosed\n', 'bad.yaml'), /bad\.yaml:\d+/);
    assert.throws(
      () => loadTopology('/nonexistent/topology.yaml'),
      /cannot read topology \/nonexistent\/topology\.yaml: ENOENT/,
    );
  });
});

describe('synthetic topologies', () => {
  it('are valid at benchmark scale', async () => {
    const { syntheticTopology } = await import('../../shared/topology/synthetic.ts');
    const t = syntheticTopology(2000);
    assert.doesNotThrow(() => parseTopology(stringify(t), 'synthetic.yaml'));
    assert.equal(t.nodes.length, 2013);
  });
});
