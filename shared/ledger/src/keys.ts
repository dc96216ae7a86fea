// Every Redis key of the ledger is built here. All share one hash tag, so every key a
// script touches lives in one Redis Cluster slot (the ledger and the queue are one atomic
// unit). A prefix isolates deployments and test files sharing one Redis.
export interface LedgerKeys {
  /** Prefix passed to the scripts, which build the rest of the keys themselves. */
  prefix: string;
  seq: string;
  facilities: string;
  facility(id: string): string;
  caseAllocation(caseId: string): string;
  queues: string;
  queue(name: string): string;
  holds: string;
}

export function ledgerKeys(namespace = "fangcang"): LedgerKeys {
  const prefix = `${namespace}:{ledger}:`;
  return {
    prefix,
    seq: `${prefix}seq`,
    facilities: `${prefix}facilities`,
    facility: (id) => `${prefix}fac:${id}`,
    caseAllocation: (caseId) => `${prefix}case:${caseId}`,
    queues: `${prefix}queues`,
    queue: (name) => `${prefix}queue:${name}`,
    holds: `${prefix}holds`,
  };
}
