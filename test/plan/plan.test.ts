import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatPlanView, planView } from '../../hub/converge/views.ts';
import { encodeSpec } from '../../hub/converge/spec-codec.ts';
import { buildPlan } from '../../hub/plan/build-plan.ts';
import { kubeadmConfigProblems } from '../support/kubeadm-validate.ts';
import { ensurePlanMaterial } from '../../hub/plan/material.ts';
import { topologicalOrder } from '../../hub/plan/plan-builder.ts';
import { renderKubeadmInit, renderKubeadmJoin } from '../../hub/plan/render/kubeadm.ts';
import { CertificateSigner } from '../../hub/pki/certificate-signer.ts';
import { newP256Keys, P256, webcrypto, x509 } from '../../shared/pki/x509.ts';
import { loadTopology } from '../../shared/topology/load.ts';
import { renderRuleset } from '../../shared/firewall/render-ruleset.ts';
import { parse, parseAllDocuments } from 'yaml';

describe('hub etcd PKI and role plans', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdc-plan-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A key made as a node makes it, and its certificate request. */
  async function nodeKeyAndCsr(cn: string) {
    const keys = await newP256Keys();
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=${cn}`, keys, signingAlgorithm: P256 });
    return { keys, csrPem: csr.toString('pem') };
  }

  it('signs a member’s own key with the names its role gets (hostname, LAN, wg3, localhost), never its request’s', async () => {
    const t = loadTopology();
    const m = await ensurePlanMaterial(dir, t);
    const ca = new x509.X509Certificate(m.etcd.caCertPem);
    const signer = new CertificateSigner({ pkiDir: path.join(dir, 'pki'), topology: () => t });
    for (const [name, lan, wg3] of [
      ['etcd-1', '10.10.0.21', '10.80.0.21'],
      ['etcd-3', '10.10.0.23', '10.80.0.23'],
    ] as const) {
      for (const profile of ['etcd-server', 'etcd-peer']) {
        const { keys, csrPem } = await nodeKeyAndCsr('evil.example');
        const cert = new x509.X509Certificate(await signer.sign(name, profile, csrPem));
        assert.ok(await cert.verify({ publicKey: ca.publicKey, signatureOnly: true }), `${name} ${profile} by the CA`);
        const spki = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey));
        assert.ok(Buffer.from(cert.publicKey.rawData).equals(spki), 'for the key the node made');
        assert.match(cert.subject, new RegExp(`CN=${name}`));
        const names = cert.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((n) => n.value);
        assert.deepEqual(names.sort(), [name, `${name}.kubedos.lan`, 'localhost', lan, wg3, '127.0.0.1'].sort());
        const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages;
        assert.ok(eku.includes(x509.ExtendedKeyUsage.serverAuth) && eku.includes(x509.ExtendedKeyUsage.clientAuth));
      }
    }
    const client = new x509.X509Certificate(
      await signer.sign('cp-2', 'apiserver-etcd-client', (await nodeKeyAndCsr('x')).csrPem),
    );
    assert.match(client.subject, /CN=kube-apiserver-etcd-client/);
    assert.deepEqual(
      [...client.getExtension(x509.ExtendedKeyUsageExtension)!.usages],
      [x509.ExtendedKeyUsage.clientAuth],
    );
    // The CA key is the hub's alone: 0600 in a 0700 dir, and in no task.
    const keyFile = path.join(dir, 'pki', 'etcd-ca.key');
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(dir, 'pki')).mode & 0o777, 0o700);
    const keyPem = fs.readFileSync(keyFile, 'utf8');
    const everything = buildPlan(t, m).tasks.map(encodeSpec).join('\n');
    const keyB64 = Buffer.from(keyPem).toString('base64');
    assert.ok(!everything.includes(keyB64) && !everything.includes(keyPem.split('\n')[1]!));
  });

  it('refuses a profile the node’s role does not have, and a request not signed by its own key', async () => {
    const t = loadTopology();
    const signer = new CertificateSigner({ pkiDir: path.join(dir, 'pki'), topology: () => t });
    const { csrPem } = await nodeKeyAndCsr('w-1');
    await assert.rejects(signer.sign('w-1', 'etcd-server', csrPem), /w-1 \(worker\) may not have a "etcd-server"/);
    await assert.rejects(signer.sign('etcd-1', 'apiserver-etcd-client', csrPem), /may not have/);
    await assert.rejects(signer.sign('etcd-1', 'etcd-server', 'not a csr'), /does not parse/);
    // A request whose signature was made by another key proves nothing.
    const other = await nodeKeyAndCsr('etcd-1');
    const forged = new x509.Pkcs10CertificateRequest(other.csrPem);
    const bytes = Buffer.from(forged.rawData);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    await assert.rejects(
      signer.sign('etcd-1', 'etcd-server', x509.PemConverter.encode(bytes, 'CERTIFICATE REQUEST')),
      /not signed by its own key|does not parse/,
    );
  });

  it('records kubeadm success with a marker written only after kubeadm succeeded, and resets a failed attempt first', async () => {
    const t = loadTopology();
    const plan = buildPlan(t, await ensurePlanMaterial(dir, t));
    for (const [id, leftover] of [
      ['cp-1/kubeadm-init', '/etc/kubernetes/manifests/kube-apiserver.yaml'],
      ['cp-2/kubeadm-join', '/etc/kubernetes/kubelet.conf'],
      ['w-3/kubeadm-join', '/etc/kubernetes/kubelet.conf'],
    ] as const) {
      const states = plan.tasks.find((x) => x.id === id)!.states;
      const ids = states.map((x) => x.id);
      const kubeadm = states.find((x) => x.command?.argv?.[0] === 'kubeadm' && x.id !== 'reset-failed-attempt')!;
      // The guard is the marker, not a file kubeadm writes on the way (a failed run would look done forever).
      assert.equal(kubeadm.command!.creates, '/var/lib/kubedos/kubeadm-member');
      assert.ok(
        ids.indexOf('reset-failed-attempt') < ids.indexOf(kubeadm.id!) &&
          ids.indexOf(kubeadm.id!) < ids.indexOf('member-marker'),
      );
      // kubeadm reset empties /etc/kubernetes/pki: whatever the task delivers there (the cluster CA, etcd's
      // client pair) comes after it, so the retry of a failed attempt finds them again.
      assert.equal(ids[0], 'reset-failed-attempt');
      const underPki = states.filter((x) =>
        (x.file?.path ?? x.certificate?.certFile ?? '').startsWith('/etc/kubernetes/pki/'),
      );
      assert.equal(underPki.length, id.startsWith('w-') ? 0 : id === 'cp-1/kubeadm-init' ? 5 : 3, ids.join(','));
      const reset = states.find((x) => x.id === 'reset-failed-attempt')!.command!;
      assert.deepEqual(reset.argv, ['kubeadm', 'reset', '--force']);
      assert.deepEqual(reset.onlyif, ['test', '-e', leftover]);
      assert.deepEqual(reset.unless, ['test', '-e', '/var/lib/kubedos/kubeadm-member']);
      assert.equal(states.at(-1)!.file!.path, '/var/lib/kubedos/kubeadm-member');
    }
  });

  it('relaxes the kubelet only in the containers that said so: a kubelet patch, and SystemVerification on cgroup v1', async () => {
    const t = loadTopology();
    const plan = buildPlan(t, await ensurePlanMaterial(dir, t), {
      kubeletContainers: { 'cp-2': { cgroup: 'v1' }, 'w-1': { cgroup: 'v1' }, 'w-3': { cgroup: 'v2' } },
    });
    const patchOf = (id: string) => {
      const s = plan.tasks
        .find((x) => x.id === id)!
        .states.find((x) => x.file?.path === '/etc/kubernetes/patches/kubeletconfiguration+merge.yaml');
      return s && (parse(Buffer.from(s.file!.content!).toString()) as Record<string, unknown>);
    };
    const configOf = (id: string) =>
      parseAllDocuments(
        Buffer.from(
          plan.tasks.find((x) => x.id === id)!.states.find((x) => x.id === 'config')!.file!.content!,
        ).toString(),
      ).map((d) => d.toJS() as Record<string, unknown>)[0]!;
    const ignored = (id: string) =>
      (configOf(id).nodeRegistration as { ignorePreflightErrors?: string[] }).ignorePreflightErrors;
    for (const id of ['cp-2/kubeadm-join', 'w-1/kubeadm-join', 'w-3/kubeadm-join']) {
      const patch = patchOf(id)!;
      assert.deepEqual(patch.evictionHard, {
        'nodefs.available': '0%',
        'nodefs.inodesFree': '0%',
        'imagefs.available': '0%',
      });
      assert.equal(patch.failCgroupV1, id === 'w-3/kubeadm-join' ? undefined : false, id);
      assert.deepEqual(configOf(id).patches, { directory: '/etc/kubernetes/patches' });
      assert.deepEqual(ignored(id), id === 'w-3/kubeadm-join' ? undefined : ['SystemVerification'], id);
    }
    for (const id of ['cp-1/kubeadm-init', 'cp-3/kubeadm-join', 'w-2/kubeadm-join']) {
      assert.equal(patchOf(id), undefined, id);
      assert.equal(configOf(id).patches, undefined, id);
      assert.equal(ignored(id), undefined, id);
    }
  });

  it('skips kubeadm on a control plane declared smaller than kubeadm accepts, with that reason, and what needs it', async () => {
    const lab3 = loadTopology(path.resolve(import.meta.dirname, '../../examples/lab-3.yaml'));
    // lab-3 as it was before its control plane had kubeadm's minimum: one core, 1280 MiB.
    const small = {
      ...lab3,
      nodes: lab3.nodes.map((n) => (n.hostname === 'cp-1' ? { ...n, cores: 1, memoryMiB: 1280 } : n)),
    };
    assert.ok(buildPlan(lab3, await ensurePlanMaterial(dir, lab3)).tasks.every((x) => x.skip === undefined));
    const plan = buildPlan(small, await ensurePlanMaterial(dir, small));
    const init = plan.tasks.find((x) => x.id === 'cp-1/kubeadm-init')!;
    assert.equal(
      init.skip,
      'cp-1 is declared with 1 core(s) and 1280 MiB; a kubeadm control plane needs at least 2 cores and 1700 MiB (nodes[].cores and memoryMiB in the topology)',
    );
    assert.equal(plan.tasks.find((x) => x.id === 'cp-1/api-ready')!.skip, 'cp-1/kubeadm-init was skipped');
    // Everything else still converges: etcd, the runtime, the images, the pod network.
    for (const id of ['etcd-1/etcd-healthy', 'cp-1/containerd', 'cp-1/container-images', 'cp-1/pod-network'])
      assert.equal(plan.tasks.find((x) => x.id === id)!.skip, undefined, id);
    // The example's control planes (4 cores, 8 GiB) are not.
    const t = loadTopology();
    assert.ok(buildPlan(t, await ensurePlanMaterial(dir, t)).tasks.every((x) => x.skip === undefined));
  });

  it('has no private key in any task: every key is made on its node from a certificate state', async () => {
    const t = loadTopology();
    const plan = buildPlan(t, await ensurePlanMaterial(dir, t));
    const certs = plan.tasks.flatMap((x) =>
      x.states.filter((s) => s.kind === 'certificate').map((s) => `${x.node}:${s.certificate!.profile}`),
    );
    assert.deepEqual(
      certs.sort(),
      [
        ...['etcd-1', 'etcd-2', 'etcd-3'].flatMap((n) => [`${n}:etcd-peer`, `${n}:etcd-server`]),
        'etcd-1:etcd-healthcheck-client',
        ...['cp-1', 'cp-2', 'cp-3'].map((n) => `${n}:apiserver-etcd-client`),
      ].sort(),
    );
    assert.doesNotMatch(plan.tasks.map(encodeSpec).join('\n'), /PRIVATE KEY|UFJJVkFURSBLRVk/);
  });

  it('builds an acyclic graph covering every node, with kubeadm init waiting on its real inputs only', async () => {
    const t = loadTopology();
    const plan = buildPlan(t, await ensurePlanMaterial(dir, t));
    assert.equal(topologicalOrder(plan.tasks).length, plan.tasks.length);
    const init = plan.tasks.find((x) => x.id === 'cp-1/kubeadm-init')!;
    assert.deepEqual(init.deps.sort(), [
      'cp-1/container-images',
      'cp-1/containerd',
      'cp-1/kube-packages',
      'cp-1/pod-network',
      'etcd-1/etcd-healthy',
      'hub/certificate-key',
      'hub/etcd-encryption-key',
      'hub/join-token',
      'lb-1/api-vip',
    ]);
    const byNode = new Set(plan.tasks.map((x) => x.node));
    for (const n of t.nodes.filter((n) => n.role !== 'master')) assert.ok(byNode.has(n.hostname));
    const text = formatPlanView(planView(plan));
    assert.match(text, /^cp-2\n( {2}.*\n)* {2}cp-2\/kubeadm-join .*after .*cp-1\/upload-certs/m);
    assert.ok(text.indexOf('etcd-1/etcd-install') < text.indexOf('etcd-1/etcd-config'));
  });

  it('decides init and join from the cluster’s members: a rebuilt cp-1 joins through cp-2, a member’s plan is unchanged', async () => {
    const t = loadTopology();
    const m = await ensurePlanMaterial(dir, t);
    const kube = t.nodes.filter((n) => n.role === 'cp' || n.role === 'worker').map((n) => n.hostname);
    const ids = (p: ReturnType<typeof buildPlan>) => p.tasks.map((x) => x.id).sort();
    // Every node a member: the same tasks as for a new cluster (each kubeadm step a no-op by its marker).
    assert.deepEqual(ids(buildPlan(t, m, { kubernetesMembers: kube })), ids(buildPlan(t, m)));

    const plan = buildPlan(t, m, { kubernetesMembers: kube.filter((n) => n !== 'cp-1') });
    const task = (id: string) => plan.tasks.find((x) => x.id === id);
    assert.equal(task('cp-1/kubeadm-init'), undefined, 'nothing inits a cluster that exists');
    assert.ok(task('cp-1/kubeadm-join'));
    assert.ok(task('cp-2/api-ready') && !task('cp-1/api-ready'));
    // cp-2 forgets cp-1's old Node object, then uploads the certificates cp-1 joins with, from a config of its own.
    assert.ok(task('cp-2/forget-node-cp-1')!.deps.includes('cp-2/api-ready'));
    const upload = task('cp-2/upload-certs')!;
    assert.ok(upload.deps.includes('cp-2/forget-node-cp-1'));
    assert.equal(upload.states.find((s) => s.kind === 'file')?.file?.path, '/etc/kubernetes/kubeadm-init.yaml');
    assert.ok(task('cp-1/kubeadm-join')!.deps.includes('cp-2/upload-certs'));
    assert.deepEqual(
      plan.tasks.filter((x) => x.id.includes('/forget-node-')).map((x) => x.id),
      ['cp-2/forget-node-cp-1'],
      'members are left alone',
    );
    assert.equal(topologicalOrder(plan.tasks).length, plan.tasks.length);
  });

  it('gives every node a time source it reaches: the master serves the wg1 plane, the others ask it, NTP admitted there only', async () => {
    const t = loadTopology();
    const plan = buildPlan(t, await ensurePlanMaterial(dir, t));
    const fileOf = (node: string) =>
      Buffer.from(
        plan.tasks.find((x) => x.id === `${node}/time-source`)!.states.find((x) => x.id === 'config')!.file!.content!,
      ).toString();
    const wg1 = t.planes.find((p) => p.name === 'wg1')!;
    const masterWg1 = `${wg1.cidr.split('.').slice(0, 3).join('.')}.1`;
    assert.match(fileOf('master'), new RegExp(`^allow ${wg1.cidr.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(fileOf('master'), /^local stratum 10$/m);
    for (const n of t.nodes.filter((x) => x.role !== 'master'))
      assert.equal(fileOf(n.hostname).split('\n')[1], `server ${masterWg1} iburst`);
    // chronyd sets the clock: in a container (the host's clock) its service is skipped, with that reason.
    for (const task of plan.tasks.filter((x) => x.name === 'time-source'))
      assert.match(task.states.find((x) => x.kind === 'service')!.unavailableInContainer!, /host/);
    const ntp = (node: string) =>
      renderRuleset(t, node)
        .split('\n')
        .filter((l) => /udp dport 123\b/.test(l));
    assert.deepEqual(
      ntp('master').map((l) => l.trim()),
      [`iifname "wg1" ip daddr ${masterWg1} udp dport 123 accept`],
    );
    for (const n of t.nodes.filter((x) => x.role !== 'master')) assert.deepEqual(ntp(n.hostname), [], n.hostname);
  });

  it('has a pod network in the plan: each node its own /24 on its bridge, routed over wg3, no image to pull', async () => {
    const t = loadTopology();
    const plan = buildPlan(t, await ensurePlanMaterial(dir, t));
    const subnets = new Set<string>();
    for (const n of t.nodes.filter((x) => x.role === 'cp' || x.role === 'worker')) {
      const task = plan.tasks.find((x) => x.id === `${n.hostname}/pod-network`)!;
      const conf = JSON.parse(Buffer.from(task.states.find((x) => x.id === 'config')!.file!.content!).toString());
      const bridge = conf.plugins.find((p: { type: string }) => p.type === 'bridge');
      const subnet: string = bridge.ipam.ranges[0][0].subnet;
      // The node's plane host numbers its /24: 10.10.0.41 runs its pods in 10.244.41.0/24.
      assert.equal(subnet, `10.244.${n.ip.split('.')[3]}.0/24`, n.hostname);
      subnets.add(subnet);
      assert.deepEqual(
        task.states.find((x) => x.id === 'plugins')!.packages!.packages!.map((p) => p.name),
        ['containernetworking-plugins'],
      );
      const kubeadm = plan.tasks.find((x) => x.node === n.hostname && /^kubeadm-(init|join)$/.test(x.name))!;
      assert.ok(kubeadm.deps.includes(task.id), `${n.hostname}: its pod network before its kubelet`);
    }
    assert.equal(subnets.size, 6);
    assert.ok(!plan.tasks.some((x) => /flannel/.test(encodeSpec(x))));
    for (const n of ['cp-1', 'cp-3', 'w-2']) {
      const images = plan.tasks.find((x) => x.id === `${n}/container-images`)!;
      assert.ok(images.deps.includes(`${n}/containerd`));
      const kubeadm = plan.tasks.find((x) => x.node === n && /^kubeadm-(init|join)$/.test(x.name))!;
      assert.ok(kubeadm.deps.includes(`${n}/container-images`), `${n} imports its images before kubeadm`);
    }
    // Without the images package the Kubernetes phases are skipped with that reason, not failed.
    const names = [
      'containerd',
      'kubelet',
      'kubeadm',
      'kubectl',
      'nfs-common',
      'conntrack',
      'socat',
      'ebtables',
      'ethtool',
    ];
    // The darksite's own kubelet/kubeadm/kubectl (kubedos build-kubernetes) at the topology's version.
    const kubeVersion = `${t.kubernetes.version.replace(/^v/, '')}-0kubedos1`;
    const kube = ['kubelet', 'kubeadm', 'kubectl'];
    const darksite = (kubeAt: string) =>
      Object.fromEntries(names.map((n) => [n, kube.includes(n) ? [kubeAt] : ['1.0-1']]));
    const skipped = buildPlan(t, await ensurePlanMaterial(dir, t), { availablePackages: darksite(kubeVersion) });
    const pkgs = skipped.tasks.find((x) => x.id === 'w-1/kube-packages')!;
    assert.equal(pkgs.skip, undefined, 'the darksite carries kubelet, kubeadm, kubectl at the topology version');
    const wanted = pkgs.states.flatMap((st) => st.packages?.packages ?? []).filter((p) => kube.includes(p.name!));
    assert.deepEqual(
      wanted.map((p) => `${p.name}=${p.version}`),
      kube.map((k) => `${k}=${kubeVersion}`),
      'the plan installs the revision the darksite has',
    );
    assert.equal(
      skipped.tasks.find((x) => x.id === 'w-1/container-images')!.skip,
      'the darksite does not carry kubedos-images',
    );
    assert.match(skipped.tasks.find((x) => x.id === 'w-1/kubeadm-join')!.skip ?? '', /container-images was skipped/);
    // Packages of another release: skipped, naming what is wanted and what the darksite has.
    const other = buildPlan(t, await ensurePlanMaterial(dir, t), { availablePackages: darksite('1.34.2-1.1') });
    const why = other.tasks.find((x) => x.id === 'w-1/kube-packages')!.skip ?? '';
    assert.match(why, new RegExp(`does not carry kubelet ${t.kubernetes.version.replace(/^v/, '')}-1\\.1, kubeadm`));
    assert.match(why, /\(it has kubelet 1\.34\.2-1\.1, kubeadm 1\.34\.2-1\.1, kubectl 1\.34\.2-1\.1\)/);
  });

  it('the v1beta4 check refuses what kubeadm would refuse', () => {
    const t = loadTopology();
    const cp = t.nodes.find((n) => n.hostname === 'cp-1')!;
    const fill = (s: string) =>
      s.replace('${secret:join-token}', 'abcdef.0123456789abcdef').replace('${secret:certificate-key}', 'a'.repeat(64));
    const init = fill(renderKubeadmInit(t, cp));
    assert.deepEqual(kubeadmConfigProblems(init), []);
    assert.deepEqual(kubeadmConfigProblems(fill(renderKubeadmJoin(t, cp, `sha256:${'b'.repeat(64)}`, true))), []);
    // The v1beta3 map form of kubeletExtraArgs, a typo, and a missing token all fail.
    assert.ok(
      kubeadmConfigProblems(
        init.replace(/kubeletExtraArgs:\n\s+- name: node-ip\n\s+value: (\S+)/, 'kubeletExtraArgs:\n    node-ip: $1'),
      ).length > 0,
    );
    assert.ok(
      kubeadmConfigProblems(init.replace('controlPlaneEndpoint', 'controlPlaneEndpiont')).some((p) =>
        /additional properties/.test(p),
      ),
    );
    assert.ok(
      kubeadmConfigProblems(renderKubeadmInit(t, cp)).some((p) => /token/.test(p)),
      'an unfilled placeholder is not a token',
    );
    assert.ok(kubeadmConfigProblems(init.replace('kubeadm.k8s.io/v1beta4', 'kubeadm.k8s.io/v1beta3')).length > 0);
  });
});
