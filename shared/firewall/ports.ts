/** The ports the per-role firewall opens; one place, so docs and rules agree. */
export const PORTS = {
  ssh: 22,
  nodeExporter: 9100,
  etcdClient: 2379,
  etcdPeer: 2380,
  kubeApi: 6443,
  kubelet: 10250,
  prometheus: 9090,
  /** The hub's GET /metrics, on its wg2 address. */
  hubMetrics: 9464,
  grafana: 3000,
  nfs: 2049,
  /** NTP (UDP): the master serves time on wg1. */
  ntp: 123,
} as const;
