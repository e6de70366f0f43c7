import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as delay } from 'node:timers/promises';
import type { RunSummary } from '../../hub/converge/engine.ts';

const FIXTURE = path.resolve(import.meta.dirname, 'fixtures/sim-hub.ts');

function startHub(dir: string, mode: 'start' | 'resume') {
  const child = spawn(process.execPath, [FIXTURE, dir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out, err })),
  );
  return { child, exited };
}

function doneTasks(dbFile: string): Set<string> {
  if (!fs.existsSync(dbFile)) return new Set();
  const db = new DatabaseSync(dbFile, { readOnly: true });
  try {
    return new Set(
      (db.prepare("SELECT task_id FROM converge_task WHERE state = 'done'").all() as { task_id: string }[]).map(
        (r) => r.task_id,
      ),
    );
  } catch {
    return new Set();
  } finally {
    db.close();
  }
}

describe('hub killed mid-convergence', function () {
  this.timeout(180_000);
  let dir: string;
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('SIGKILL, restart: resumes without redoing finished work and converges', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdc-kill-'));
    const dbFile = path.join(dir, 'hub', 'state.db');
    const first = startHub(dir, 'start');
    // Kill once a good part of the plan is done, but not all of it.
    while (doneTasks(dbFile).size < 25) {
      const early = await Promise.race([first.exited, delay(50).then(() => undefined)]);
      if (early) assert.fail(`the hub exited before it was killed: ${early.err}`);
    }
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    assert.equal(killed.signal, 'SIGKILL');
    const doneAtKill = doneTasks(dbFile);
    const db = new DatabaseSync(dbFile, { readOnly: true });
    const total = (db.prepare('SELECT COUNT(*) AS n FROM converge_task').get() as { n: number }).n;
    db.close();
    assert.ok(doneAtKill.size < total, 'killed before the end');

    fs.appendFileSync(path.join(dir, 'executions.log'), '--- restart\n');
    const second = startHub(dir, 'resume');
    const res = await second.exited;
    assert.equal(res.code, 0, res.err);
    const summary = JSON.parse(res.out) as RunSummary;
    assert.equal(summary.state, 'done');
    assert.equal(summary.total, total);
    assert.equal(summary.failed + summary.blocked, 0);

    const log = fs.readFileSync(path.join(dir, 'executions.log'), 'utf8').split('--- restart\n');
    const afterRestart = log[1]!.split('\n').filter(Boolean);
    const redone = afterRestart.filter((id) => doneAtKill.has(id));
    assert.deepEqual(redone, [], 'finished tasks are not run again');
    assert.ok(afterRestart.length > 0);
    // Every task ran to completion at least once, across both processes.
    const ever = new Set(
      log
        .join('')
        .split('\n')
        .filter((l) => l && !l.startsWith('---')),
    );
    assert.equal(ever.size + 3 /* the hub's own secret tasks */, total);
  });
});
