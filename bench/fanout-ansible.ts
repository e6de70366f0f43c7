/**
 * bench/fanout-ansible: Debian's ansible running one no-op command on 100
 * local hosts (ansible_connection=local, forks 50) against the hub engine
 * sending one no-op command task to 100 minions. Prints both and the ratio.
 * Needs the `ansible` package (bench only; the tests do not use it).
 *   ./node_modules/.bin/node bench/fanout-ansible.ts [hosts=100] [repeats=3]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { fanout } from './fanout.ts';

const hosts = Number(process.argv[2] ?? 100);
const repeats = Number(process.argv[3] ?? 3);

async function ansibleOnce(dir: string): Promise<number> {
  const t0 = performance.now();
  const r = await execa(
    'ansible',
    ['all', '-i', path.join(dir, 'inventory.ini'), '-f', '50', '-m', 'ansible.builtin.command', '-a', 'true', '-o'],
    {
      env: {
        ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'),
        ANSIBLE_REMOTE_TEMP: path.join(dir, 'remote'),
        ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
        ANSIBLE_HOST_KEY_CHECKING: 'False',
        ANSIBLE_NOCOLOR: '1',
      },
      reject: false,
    },
  );
  const ms = performance.now() - t0;
  const ok = (r.stdout.match(/\| CHANGED \| rc=0/g) ?? []).length;
  if (ok !== hosts)
    throw new Error(`ansible: ${ok}/${hosts} hosts succeeded\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kdc-ansible-'));
try {
  const lines = ['[all]', ...Array.from({ length: hosts }, (_, i) => `h${i} ansible_connection=local`)];
  fs.writeFileSync(path.join(dir, 'inventory.ini'), `${lines.join('\n')}\n`);
  console.log(
    `load average: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
  const version = (await execa('ansible', ['--version'])).stdout.split('\n')[0];
  await fanout(hosts); // warm-up
  const a: number[] = [];
  const k: number[] = [];
  for (let i = 0; i < repeats; i++) {
    a.push(await ansibleOnce(dir));
    k.push((await fanout(hosts)).wallMs);
    console.log(`  round ${i + 1}: ansible ${a[i]!.toFixed(0)} ms, kubedos ${k[i]!.toFixed(0)} ms`);
  }
  console.log(
    `${version}: ${hosts} hosts, forks 50: median ${median(a).toFixed(0)} ms (runs: ${a.map((x) => x.toFixed(0)).join(', ')})`,
  );
  console.log(
    `kubedos hub: ${hosts} minions: median ${median(k).toFixed(0)} ms (runs: ${k.map((x) => x.toFixed(0)).join(', ')})`,
  );
  console.log(`ratio ansible / kubedos: ${(median(a) / median(k)).toFixed(1)}×`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
