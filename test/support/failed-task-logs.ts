import { runBin } from './run-bin.ts';

/**
 * What a lab prints when `kubedos up` ends with failed tasks: the output of
 * each one the report names ("[hubctl logs NODE TASK]"), fetched through
 * hubctl before the lab is torn down, so a red CI run shows the daemon's own
 * words and not only "exit status 1".
 */
export async function failedTaskLogs(report: string, env: NodeJS.ProcessEnv, max = 3): Promise<string> {
  const named = [...report.matchAll(/\[hubctl logs (\S+) (\S+)\]/g)].map((m) => [m[1]!, m[2]!] as const);
  const parts: string[] = [];
  for (const [node, task] of named.slice(0, max)) {
    const r = await runBin('hubctl', ['logs', node, task], env, 60_000);
    parts.push(`--- hubctl logs ${node} ${task} (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-4000)}`);
  }
  return parts.join('\n');
}
