import { randomBytes } from 'node:crypto';
import { bootstrapToken } from '../../hub/converge/secrets.ts';
import { renderKubeadmInit, renderKubeadmJoin } from '../../hub/plan/render/kubeadm.ts';
import { SECRET_PLACEHOLDER } from '../../shared/tasks/redact.ts';
import type { Topology } from '../../shared/topology/model.ts';

/**
 * The kubeadm configs the plan renders for a topology (init on its first
 * control plane, a control-plane join, a worker join; init and a worker
 * join again as a container on a cgroup v1 host gets them), with the secrets the
 * hub would fill in at dispatch made up in their real formats.
 */
export function renderedKubeadmConfigs(
  t: Topology,
): Record<'init' | 'join-control-plane' | 'join-worker' | 'init-cgroup-v1' | 'join-worker-cgroup-v1', string> {
  const secrets: Record<string, string> = {
    'join-token': bootstrapToken(),
    'certificate-key': randomBytes(32).toString('hex'),
  };
  const fill = (text: string) =>
    text.replace(SECRET_PLACEHOLDER, (_, name: string) => {
      const v = secrets[name];
      if (!v) throw new Error(`the rendered kubeadm config names an unknown secret ${name}`);
      return v;
    });
  const cps = t.nodes.filter((n) => n.role === 'cp');
  const worker = t.nodes.find((n) => n.role === 'worker');
  if (cps.length < 2 || !worker) throw new Error(`${t.name} needs two control planes and a worker`);
  const caHash = `sha256:${randomBytes(32).toString('hex')}`;
  return {
    init: fill(renderKubeadmInit(t, cps[0]!)),
    'join-control-plane': fill(renderKubeadmJoin(t, cps[1]!, caHash, true)),
    'join-worker': fill(renderKubeadmJoin(t, worker, caHash, false)),
    // As a container on a cgroup v1 host gets them: kubeadm's patches directory, SystemVerification ignored.
    'init-cgroup-v1': fill(renderKubeadmInit(t, cps[0]!, { cgroup: 'v1' })),
    'join-worker-cgroup-v1': fill(renderKubeadmJoin(t, worker, caHash, false, { cgroup: 'v1' })),
  };
}
