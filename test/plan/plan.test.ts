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
import { parseAllDocuments } from 'yaml';
import { renderFlannelManifest } from '../../hub/plan/render/flannel.ts';

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
      const reset = states.find((x) => x.id === 'reset-failed-attempt')!.command!;
      assert.deepEqual(reset.argv, ['kubeadm', 'reset', '--force']);
      assert.deepEqual(reset.onlyif, ['test', '-e', leftover]);
      assert.deepEqual(reset.unless, ['test', '-e', '/var/lib/kubedos/kubeadm-member']);
      assert.equal(states.at(-1)!.file!.path, '/var/lib/kubedos/kubeadm-member');
    }
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
      'cp-1/etcd-client-certs',
      'cp-1/kube-packages',
      'etcd-1/etcd-healthy',
      'hub/certificate-key',
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

  it('has a CNI in the plan: flannel on wg3 from images the darksite supplies, imported before kubeadm, never pulled', async () => {
    const t = loadTopology();
    const plan = buildPlan(t, await ensurePlanMaterial(dir, t));
    const docs = parseAllDocuments(renderFlannelManifest(t)).map((d) => d.toJS());
    const ds = docs.find((d) => d.kind === 'DaemonSet');
    const containers = [...ds.spec.template.spec.initContainers, ...ds.spec.template.spec.containers];
    assert.ok(containers.every((c) => c.imagePullPolicy === 'Never'));
    assert.ok(ds.spec.template.spec.containers[0].args.includes('--iface=wg3'));
    const cfg = docs.find((d) => d.kind === 'ConfigMap');
    assert.equal(JSON.parse(cfg.data['net-conf.json']).Network, t.kubernetes.podCidr);
    assert.ok(plan.tasks.find((x) => x.id === 'cp-1/cni')!.deps.includes('cp-1/api-ready'));
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
