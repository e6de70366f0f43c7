import type { Topology, TopologyNode } from '../../../shared/topology/model.ts';
import type { PlanMaterial, PlanOptions } from '../material.ts';
import type { PlanBuilder } from '../plan-builder.ts';

/** What every role section gets. */
export interface RoleContext {
  t: Topology;
  plan: PlanBuilder;
  material: PlanMaterial;
  options: Required<
    Pick<
      PlanOptions,
      'lanInterface' | 'lanInterfaces' | 'kubePackageRevision' | 'etcdBootstrapped' | 'kubeletContainers'
    >
  >;
  nodesOf: (role: TopologyNode['role']) => TopologyNode[];
}
