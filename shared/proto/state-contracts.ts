import type { State } from '../../proto/gen/kubedos/v1/State.ts';

/** A contract version a node must speak for a task, and what needs it (said to the operator). */
export interface ContractNeed {
  contract: number;
  what: string;
}

/**
 * The contract a minion must speak to carry out these states: each kind
 * says the version it came with (hub.proto's history), where that is past
 * the first. A minion that speaks less would fail a state it does not know;
 * the scheduler holds the task instead, and says why.
 */
export function contractNeeded(states: readonly State[]): ContractNeed | undefined {
  let need: ContractNeed | undefined;
  const want = (contract: number, what: string) => {
    if (!need || contract > need.contract) need = { contract, what };
  };
  for (const s of states) {
    if (s.etcdSnapshot) want(3, 'etcd snapshots');
    if (s.etcdRestore) {
      if (s.etcdRestore.stageOnly) want(4, 'a staged etcd restore');
      else want(3, 'etcd restores');
    }
  }
  return need;
}

/** Why a task waits for a node that is connected but speaks too old a contract (undefined: it need not wait). */
export function behindFor(
  node: string,
  speaks: number | undefined,
  need: ContractNeed | undefined,
): string | undefined {
  if (!need) return undefined;
  if (speaks === undefined) return `${node} has not said which contract it speaks yet (its hello)`;
  return speaks < need.contract ? `${node} speaks contract ${speaks}; ${need.what} need ${need.contract}` : undefined;
}
