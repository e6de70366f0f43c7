import assert from 'node:assert/strict';
import path from 'node:path';
import { writeNodeFiles } from '../../deploy/toolkit/node-files.ts';
import { Agent } from '../../minion/agent.ts';
import { loadIdentityFile, loadMinionConfig } from '../../minion/config.ts';
import type { StatusResponse__Output } from '../../proto/gen/kubedos/v1/StatusResponse.ts';
import type { Task__Output } from '../../proto/gen/kubedos/v1/Task.ts';
import type { TaskResult } from '../../proto/gen/kubedos/v1/TaskResult.ts';
import { memoryLogger, startHub, type HubFixture } from '../support/hub-fixture.ts';
import { until } from '../support/until.ts';
import { parseWireTaskId } from '../../hub/converge/task-row.ts';

/**
 * A session lost while a task runs (a blip, the hub restarted, the move from
 * the LAN to wg1) does not stop the task: it finishes, and its result
 * reaches the hub over the next session. Sent again by the hub (it resends
 * what it has no answer to), it is not run a second time. A real hub and a
 * real minion agent; the task itself is held by the test, so the moment the
 * session is lost falls inside it.
 */
describe('minion: a task outlives the session it came on', function () {
  let f: HubFixture;
  let controller: AbortController;
  let running: Promise<void>;

  after(async () => {
    controller?.abort();
    await running;
    await f?.close();
  });

  it('finishes a task across a hub restart, runs it once, and the hub records its result', async () => {
    f = await startHub();
    const configFile = writeNodeFiles(path.join(f.dir, 'w-1'), 'w-1', f.secrets, { hub: `127.0.0.1:${f.hub.port}` });
    const config = loadMinionConfig(configFile);
    const starts = new Map<string, number>();
    const aborted: string[] = [];
    let held: string | undefined;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const answer = (task: Task__Output): TaskResult => ({
      taskId: task.taskId,
      attempt: task.attempt,
      status: 'TASK_STATUS_UNCHANGED',
    });
    controller = new AbortController();
    running = new Agent(config, loadIdentityFile(config.identityFile), memoryLogger(), {
      onTask: async (task, signal) => {
        starts.set(task.taskId, (starts.get(task.taskId) ?? 0) + 1);
        // The first task w-1 is sent is the long one (an apt-get, say); the others answer at once.
        if (held === undefined || held === task.taskId) {
          held = task.taskId;
          signal.addEventListener('abort', () => aborted.push(task.taskId));
          await released;
        }
        return answer(task);
      },
    }).run(controller.signal);
    await f.openWindow({ nodes: ['w-1'] });
    const status = () => f.admin.call<object, StatusResponse__Output>((a) => a.Status, {});
    await until('w-1 connected', async () =>
      (await status()).nodes.find((n) => n.name === 'w-1')?.state === 'connected' ? true : undefined,
    );
    await f.admin.call((a) => a.Converge, { dryRun: false });
    await until('w-1 running its first task', () => held);

    await f.restart();
    await until('w-1 connected again', async () =>
      (await status()).nodes.find((n) => n.name === 'w-1')?.state === 'connected' ? true : undefined,
    );
    // The hub sent the unanswered task again on the new session; give it the time to arrive.
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(aborted, [], 'the task was not stopped with its session');
    release();
    // The hub's own record of that task (its database), not the minion's word.
    const id = parseWireTaskId(held!)!;
    const row = await until('the hub to record the held task', () => {
      const r = f.hub.db
        .prepare('SELECT state, status, attempt FROM converge_task WHERE run_id = ? AND task_id = ?')
        .get(id.runId, id.taskId) as { state: string; status: string; attempt: number } | undefined;
      return r?.state === 'done' ? r : undefined;
    });
    assert.equal(row.status, 'TASK_STATUS_UNCHANGED');
    assert.equal(row.attempt, 1, 'no second attempt: the first one answered');
    assert.equal(starts.get(held!), 1, 'run once, though sent again');
  });
});
