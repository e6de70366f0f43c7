import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { rejectionCode, startHub, type HubFixture } from '../support/hub-fixture.ts';
import { requireSystem } from '../support/requirements.ts';
import { HUB_PANELS, renderHubDashboard } from '../../hub/plan/render/grafana-dashboard.ts';
import { until } from '../support/until.ts';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * The hub's /metrics, scraped by a real Prometheus (Debian's): a query for
 * the node count answers what the hub's own status says, and enrollments and
 * refusals are counted by reason.
 */
describe("hub metrics, scraped by Debian's prometheus", function () {
  this.timeout(120_000);
  let f: HubFixture;
  let prom: ResultPromise | undefined;
  let promPort: number;

  before(async function () {
    requireSystem(this, { commands: ['prometheus'] });
    f = await startHub({ metricsListen: '127.0.0.1:0' });
    promPort = await freePort();
    const config = path.join(f.dir, 'prometheus.yml');
    fs.writeFileSync(
      config,
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: kubedos-hub\n    static_configs: [{ targets: ['127.0.0.1:${f.hub.metricsPort}'] }]\n`,
    );
    prom = execa(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(f.dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { reject: false, all: true },
    );
  });
  after(async () => {
    prom?.kill('SIGTERM');
    await prom;
    await f?.close();
  });

  const query = async (q: string): Promise<number | undefined> => {
    const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`).catch(
      () => undefined,
    );
    if (!res?.ok) return undefined;
    const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
    return body.data.result[0] ? Number(body.data.result[0].value[1]) : undefined;
  };

  it('a PromQL query for the nodes returns the topology node count; enrollments and refusals show by reason', async () => {
    await f.openWindow({ role: 'lb' });
    await f.enroll(f.request('lb-1'));
    await rejectionCode(f.enroll(f.request('w-1')));
    const text = await (await fetch(`http://127.0.0.1:${f.hub.metricsPort}/metrics`)).text();
    assert.match(text, /kubedos_nodes\{state="expected",deployment="platform-16"\} 15/);
    assert.match(text, /kubedos_enrollments_total\{result="refused",reason="no_window",deployment="platform-16"\} 1/);
    const total = await until('prometheus has scraped the hub', () => query('sum(kubedos_nodes)'), 60_000);
    assert.equal(total, f.topology.nodes.length);
    const enrolled = await until('the enrolled node', () => query('kubedos_nodes{state="enrolled"}'), 30_000);
    assert.equal(enrolled, 1);
    const accepted = await until(
      'accepted enrollments',
      () => query('kubedos_enrollments_total{result="accepted"}'),
      30_000,
    );
    assert.equal(accepted, 1);
  });

  it('has every panel of the grafana dashboard it provisions be a query prometheus accepts, over metrics the hub serves', async () => {
    const text = await (await fetch(`http://127.0.0.1:${f.hub.metricsPort}/metrics`)).text();
    const served = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    assert.ok(served.size >= 6, [...served].join(' '));
    const dashboard = JSON.parse(renderHubDashboard(f.topology)) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    assert.equal(dashboard.panels.length, HUB_PANELS.length);
    for (const panel of dashboard.panels) {
      const expr = panel.targets[0]!.expr;
      for (const name of expr.match(/kubedos_[a-z_]+/g) ?? [])
        assert.ok(served.has(name) || served.has(name.replace(/_total$/, '')), `${panel.title}: ${name} is not served`);
      const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as { status: string; error?: string };
      assert.equal(body.status, 'success', `${panel.title}: ${expr}: ${body.error}`);
    }
  });
});
