// The ledger's invariants, checked over a snapshot: used by the contract tests, the fault
// suite and the auditor. Returns every violation found, described for a human.
import type { LedgerSnapshot } from "./ledger.ts";

export function checkLedgerInvariants(snapshot: LedgerSnapshot): string[] {
  const violations: string[] = [];
  const used = new Map<string, { held: number; occupied: number }>();
  // Queues can be long: a set per queue keeps the membership check linear overall.
  const members = new Map<string, Set<string>>();
  const inQueue = (queue: string, caseId: string) => {
    let set = members.get(queue);
    if (set === undefined) {
      set = new Set(snapshot.queues[queue]);
      members.set(queue, set);
    }
    return set.has(caseId);
  };
  for (const [caseId, allocation] of Object.entries(snapshot.cases)) {
    if (allocation.state === "waiting") {
      if (!inQueue(allocation.queue, caseId)) {
        violations.push(`case ${caseId} is waiting but not in queue ${allocation.queue}`);
      }
      continue;
    }
    const k = `${allocation.facilityId}/${allocation.bedClass}`;
    const u = used.get(k) ?? { held: 0, occupied: 0 };
    if (allocation.state === "held") u.held++;
    else u.occupied++;
    used.set(k, u);
  }
  const queued = new Set<string>();
  for (const [queue, members] of Object.entries(snapshot.queues)) {
    for (const caseId of members) {
      if (queued.has(caseId)) violations.push(`case ${caseId} waits in two queues`);
      queued.add(caseId);
      if (snapshot.cases[caseId]?.state !== "waiting")
        violations.push(`case ${caseId} is in queue ${queue} but not waiting`);
    }
  }
  for (const facility of snapshot.facilities) {
    for (const [bedClass, c] of Object.entries(facility.counts)) {
      const where = `${facility.facilityId}/${bedClass}`;
      if (c.free + c.held + c.occupied !== c.total)
        violations.push(`${where}: free + held + occupied != total (${JSON.stringify(c)})`);
      if (c.free < 0 || c.held < 0 || c.occupied < 0 || c.total < 0)
        violations.push(`${where}: negative count (${JSON.stringify(c)})`);
      if (c.total > Math.max(c.capacity, c.held + c.occupied))
        violations.push(`${where}: total above capacity with free beds (${JSON.stringify(c)})`);
      const u = used.get(where) ?? { held: 0, occupied: 0 };
      if (u.held !== c.held || u.occupied !== c.occupied) {
        violations.push(
          `${where}: counts say held ${c.held}/occupied ${c.occupied}, cases say ${u.held}/${u.occupied}`,
        );
      }
      used.delete(where);
      if (c.free > 0 && facility.status === "open") {
        for (const [queue, members] of Object.entries(snapshot.queues)) {
          if (members.length > 0 && queueFits(queue, facility.kind, bedClass, facility.capabilities)) {
            violations.push(`${where} has ${c.free} free beds while queue ${queue} waits`);
          }
        }
      }
    }
  }
  for (const where of used.keys()) violations.push(`cases hold beds in ${where}, which the ledger does not count`);
  return violations;
}

/** Reads a queue name (see queueNameOf) back into its need, to check it against a bed. */
function queueFits(queue: string, kind: string, bedClass: string, capabilities: readonly string[]): boolean {
  const [alternatives = "", caps = ""] = queue.split("/");
  return (
    alternatives.split("+").includes(`${kind}.${bedClass}`) &&
    caps
      .split(",")
      .filter(Boolean)
      .every((c) => capabilities.includes(c))
  );
}
