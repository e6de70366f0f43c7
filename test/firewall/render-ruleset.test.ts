import assert from 'node:assert/strict';
import path from 'node:path';
import { renderRuleset } from '../../shared/firewall/render-ruleset.ts';
import { PORTS } from '../../shared/firewall/ports.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { KUBERNETES_ROLES } from '../../shared/topology/model.ts';

const t = loadTopology();
const rulesFor = (node: string) =>
  renderRuleset(t, node)
    .split('\n')
    .map((l) => l.trim());
const withPort = (rules: string[], port: number) =>
  rules.filter((r) => new RegExp(`dport (\\{[^}]*\\b${port}\\b[^}]*\\}|${port})( |$)`).test(r));

describe('per-role nftables rulesets', () => {
  for (const node of t.nodes) {
    it(`${node.hostname} (${node.role}): default drop, established first, SSH only on wg1, exporter only on wg2`, () => {
      const rules = rulesFor(node.hostname);
      assert.ok(rules.includes('type filter hook input priority filter; policy drop;'));
      assert.equal(
        rules.find((r) => r.endsWith('accept')),
        'ct state established,related accept',
      );
      // SSH only on wg1; on the master also on the LAN (where an operator comes in before any wg1 exists).
      assert.deepEqual(withPort(rules, PORTS.ssh), [
        node.role === 'master'
          ? `iifname "eth0" tcp dport ${PORTS.ssh} accept`
          : `iifname "wg1" tcp dport ${PORTS.ssh} accept`,
      ]);
      const exporter = withPort(rules, PORTS.nodeExporter);
      assert.equal(exporter.length, 1);
      assert.match(exporter[0]!, /^iifname "wg2" ip saddr \{ 10\.79\.0\.1, 10\.79\.0\.11 \} tcp dport 9100 accept$/);
      assert.ok(rules.includes('iifname "eth0" udp dport { 51821, 51822, 51823 } accept'));
    });
  }

  it('etcd ports only on etcd members, only from control planes and etcd members over wg3', () => {
    for (const node of t.nodes) {
      const etcd = withPort(rulesFor(node.hostname), PORTS.etcdClient);
      if (node.role !== 'etcd') {
        assert.deepEqual(etcd, [], node.hostname);
        continue;
      }
      assert.equal(etcd.length, 1);
      const sources = /ip saddr \{ ([^}]+) \}/.exec(etcd[0]!)![1]!.split(', ');
      assert.deepEqual(sources, ['10.80.0.21', '10.80.0.22', '10.80.0.23', '10.80.0.31', '10.80.0.32', '10.80.0.33']);
      assert.match(etcd[0]!, /^iifname "wg3" /);
      assert.match(etcd[0]!, /dport \{ 2379, 2380 \}/);
    }
  });

  it('6443 on load balancers and control planes only; kubelet and CNI on wg3 for Kubernetes nodes only', () => {
    for (const node of t.nodes) {
      const rules = rulesFor(node.hostname);
      const api = withPort(rules, PORTS.kubeApi);
      assert.equal(api.length, node.role === 'cp' ? 3 : node.role === 'lb' ? 1 : 0, node.hostname);
      // Only the Kubernetes nodes' wg3 addresses: the hub has one too, and none of these is for it.
      const kube = t.nodes
        .filter((n) => KUBERNETES_ROLES.includes(n.role))
        .map((n) => n.ip.replace(/^10\.10\.0\./, '10.80.0.'))
        .join(', ');
      if (node.role === 'cp') {
        // Pods reach the API: their own from the pod bridge (before the plane-address drop), the others' over wg3.
        const own = `iifname "cni0" ip saddr ${node.ip.replace(/^10\.10\.0\.(\d+)$/, '10.244.$1.0/24')} tcp dport 6443 accept`;
        assert.deepEqual(api, [
          own,
          `iifname "wg3" ip saddr { ${kube} } tcp dport ${PORTS.kubeApi} accept`,
          `iifname "wg3" ip saddr 10.244.0.0/16 tcp dport ${PORTS.kubeApi} accept`,
        ]);
        assert.ok(rules.indexOf(own) < rules.findIndex((r) => r.startsWith('ip daddr ')));
      }
      if (node.role === 'lb') assert.equal(api[0], `iifname "eth0" tcp dport ${PORTS.kubeApi} accept`);
      const kubelet = withPort(rules, PORTS.kubelet);
      if (KUBERNETES_ROLES.includes(node.role))
        assert.deepEqual(kubelet, [`iifname "wg3" ip saddr { ${kube} } tcp dport ${PORTS.kubelet} accept`]);
      else assert.deepEqual(kubelet, []);
    }
  });

  it('without a load balancer (lab-3), the control plane takes the API on its LAN address: kubeconfigs name it', () => {
    const lab3 = loadTopology(path.resolve(import.meta.dirname, '../../examples/lab-3.yaml'));
    const api = withPort(
      renderRuleset(lab3, 'cp-1')
        .split('\n')
        .map((l) => l.trim()),
      PORTS.kubeApi,
    );
    assert.ok(api.includes(`iifname "eth0" tcp dport ${PORTS.kubeApi} accept`), api.join('\n'));
    // With load balancers, the VIP is where the LAN reaches the API: no control plane takes it there.
    for (const cp of t.nodes.filter((n) => n.role === 'cp'))
      assert.ok(!withPort(rulesFor(cp.hostname), PORTS.kubeApi).some((r) => r.startsWith('iifname "eth0"')));
  });

  it('the master accepts enrollment on the LAN and sessions on its wg1 address', () => {
    const hub = withPort(rulesFor('master'), t.hub.port);
    assert.deepEqual(hub, [
      'iifname "eth0" tcp dport 7443 accept',
      'iifname "wg1" ip daddr 10.78.0.1 tcp dport 7443 accept',
    ]);
  });

  it('replaces its table in one transaction', () => {
    const text = renderRuleset(t, 'w-1');
    assert.match(text, /^table inet kubedos \{\}\ndelete table inet kubedos\ntable inet kubedos \{\n/);
  });
});
