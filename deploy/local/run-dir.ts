import path from 'node:path';
import { userStateRoot } from '../../hub/cli/locate-hub.ts';

/** The folder layout of one local deployment (sim or netns), all under one run dir. */
export interface RunDir {
  root: string;
  secrets: string;
  hubDir: string;
  logs: string;
  processes: string;
  nodeDir(node: string): string;
  topologyCopy: string;
}

export function defaultRunRoot(deployment: string, substrate: string): string {
  return path.join(userStateRoot(), 'deployments', `${deployment}-${substrate}`);
}

export function runDir(root: string): RunDir {
  return {
    root,
    secrets: path.join(root, 'secrets'),
    hubDir: path.join(root, 'hub'),
    logs: path.join(root, 'logs'),
    processes: path.join(root, 'processes.json'),
    nodeDir: (node) => path.join(root, 'nodes', node),
    topologyCopy: path.join(root, 'topology.yaml'),
  };
}
