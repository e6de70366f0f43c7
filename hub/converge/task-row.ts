/** A row of converge_task as the engine and the views read it. */
export interface TaskRow {
  run_id: number;
  task_id: string;
  seq: number;
  node: string;
  name: string;
  phase: string;
  deps: string;
  spec: string;
  state: 'pending' | 'dispatched' | 'done' | 'failed' | 'blocked';
  attempt: number;
  retries: number;
  retry_at: number;
  status: string;
  changed: number;
  dispatched_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  summary: string;
  output_tail: string;
  error: string;
}

export interface RunRow {
  id: number;
  started_at: number;
  finished_at: number | null;
  dry_run: number;
  state: 'running' | 'done' | 'failed';
}

/** The id a task carries on the wire: the run is part of it, so a late result from an earlier run is ignored. */
export function wireTaskId(runId: number, taskId: string): string {
  return `r${runId}:${taskId}`;
}

export function parseWireTaskId(wire: string): { runId: number; taskId: string } | undefined {
  const m = /^r(\d+):(.+)$/.exec(wire);
  return m ? { runId: Number(m[1]), taskId: m[2]! } : undefined;
}
