import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { isInstallTask } from '../../hub/converge/scheduler.ts';
import { PHASES } from '../../hub/plan/model.ts';
import fs from 'node:fs';
import { DEFAULT_TOPOLOGY, parseTopology } from '../../shared/topology/load.ts';
import { makeSim, type Sim } from './sim-support.ts';

/**
 * The fleet-wide install limit on the 16-node plan: every task takes a
 * while, and the in-process minions count how many package installs run
 * at once. The run converges, never with more installs at once than the
 * limit, and the earliest phase installs first.
 */
describe('convergence: at most N nodes install packages at once', function () {
  let sim: Sim;
  let peak = 0;
  const order: Array<{ task: string; phase: number }> = [];
  after(() => sim?.cleanup());

  it('keeps installs at or under the limit, earliest phase first, and converges', async () => {
    let running = 0;
    sim = await makeSim({
      engine: { maxParallelInstalls: 3 },
      channel: {
        runner: async (_node, task) => {
          const install = isInstallTask(task.states);
          if (install) {
            running++;
            peak = Math.max(peak, running);
            const planned = sim.plan.tasks.find((x) => x.id === task.name)!;
            order.push({ task: task.name, phase: PHASES.indexOf(planned.phase) });
          }
          await delay(install ? 25 : 2);
          if (install) running--;
          return {
            taskId: task.taskId,
            attempt: task.attempt,
            status: 'TASK_STATUS_CHANGED',
            durationMs: 25,
            states: [],
          };
        },
      },
    });
    const installs = sim.plan.tasks.filter((x) => isInstallTask(x.states) && !x.skip).length;
    assert.ok(installs > 10, `the plan has installs to bound (${installs})`);
    const summary = await sim.engine.waitForRun(sim.engine.start(sim.plan));
    assert.equal(summary.state, 'done');
    assert.equal(order.length, installs, 'every install ran once');
    assert.equal(peak, 3, 'three at once, never more');
    // Of the installs ready at once, the earliest phase goes first: once preflight is done, the
    // runtime's packages (containerd) go before the node exporters still waiting for a place.
    const firstRuntime = order.findIndex((o) => o.phase === PHASES.indexOf('runtime'));
    const exportersAfter = order.slice(firstRuntime).filter((o) => o.task.endsWith('/node-exporter')).length;
    const runtimeAfter = order.slice(firstRuntime).filter((o) => o.phase === PHASES.indexOf('runtime')).length;
    assert.ok(firstRuntime <= 3, `containerd waited for at most one wave of exporters: ${JSON.stringify(order)}`);
    assert.ok(
      order.slice(firstRuntime, firstRuntime + runtimeAfter).every((o) => o.phase <= PHASES.indexOf('load-balancers')),
      `the core's installs went before the ${exportersAfter} exporters left: ${JSON.stringify(order)}`,
    );
  });

  it('takes the limit from the topology (convergence.parallelInstalls) and refuses a nonsense one in one line', () => {
    const text = fs.readFileSync(DEFAULT_TOPOLOGY, 'utf8');
    assert.equal(parseTopology(`${text}\nconvergence: { parallelInstalls: 2 }\n`).convergence?.parallelInstalls, 2);
    assert.equal(parseTopology(text).convergence, undefined, 'the example leaves installs unbounded');
    assert.throws(() => parseTopology(`${text}\nconvergence: { parallelInstalls: 0 }\n`), /parallelInstalls/);
    assert.throws(() => parseTopology(`${text}\nconvergence: { parallel: 2 }\n`), /convergence/);
  });
});
