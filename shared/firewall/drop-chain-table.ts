/**
 * One nftables table holding one base chain with policy drop, rendered so
 * that loading it replaces any previous version of the table in a single
 * transaction (declare, delete, define): there is never a moment without it.
 */
export function renderDropChainTable(table: string, hook: 'input' | 'forward', rules: string[]): string {
  return [
    `table inet ${table} {}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    `  chain ${hook} {`,
    `    type filter hook ${hook} priority filter; policy drop;`,
    ...rules.map((r) => `    ${r}`),
    '  }',
    '}',
    '',
  ].join('\n');
}
