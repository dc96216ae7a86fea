import type { AnyCloudEvent } from "@fangcang/contracts";
import { scenarios } from "@fangcang/scenario";
import { shanghai2022 } from "@fangcang/triage";
import { beforeAll, describe, expect, it } from "vitest";
import { type AuditReport, auditLog } from "./audit.ts";
import type { AuditLog } from "./audit-log.ts";
import { simulateProduction } from "./simulated-production.ts";

// Ten days of the Shanghai wave at 1/250 scale: ~1,700 cases and facilities, intake
// answers, crashes and redeliveries: about 10,000 recorded events.
const inputs = () =>
  scenarios["shanghai-2022"].events({ seed: 11, scale: 0.004, from: "2022-04-01", to: "2022-04-10" });

const copy = (log: AuditLog): AuditLog => ({
  cases: [...log.cases],
  facilities: [...log.facilities],
  transfers: [...log.transfers],
  ledger: [...log.ledger],
});

/** The index in the transfers log of the n-th decision of a type (unique ids only). */
function nth(log: AuditLog, type: string, n: number): number {
  let seen = 0;
  const ids = new Set<string>();
  for (let i = 0; i < log.transfers.length; i++) {
    const event = log.transfers[i] as AnyCloudEvent;
    if (event.type !== type || ids.has(event.id)) continue;
    ids.add(event.id);
    if (seen++ === n) return i;
  }
  throw new Error(`no ${type} #${n}`);
}

describe("the audit", () => {
  let threeInstances: AuditLog;
  let oneInstance: AuditLog;
  let clean: AuditReport;

  beforeAll(async () => {
    threeInstances = await simulateProduction(inputs(), {
      policy: shanghai2022,
      instances: 3,
      partitions: 6,
      seed: 1,
      crashRate: 0.1,
    });
    oneInstance = await simulateProduction(inputs(), { policy: shanghai2022, instances: 1, partitions: 6, seed: 2 });
    clean = await auditLog(threeInstances);
  });

  it("given a log from three instances sharing the ledger, with crashes and redeliveries, reproduces every decision", () => {
    expect(clean.mismatches).toEqual([]);
    expect(clean.invariantViolations).toEqual([]);
    expect(clean.ok).toBe(true);
    expect(clean.decisions.recorded).toBeGreaterThan(1_000);
    expect(clean.decisions.reproduced).toBe(clean.decisions.recorded);
    expect(clean.internalEvents.reproduced).toBe(clean.internalEvents.recorded);
    // The log really holds what makes replay hard: redelivered decisions, expiry checks of
    // their own, expired holds, and a ledger order unlike the log's.
    expect(threeInstances.transfers.length).toBeGreaterThan(clean.decisions.recorded);
    expect(clean.inputs.ticks).toBeGreaterThan(0);
    expect(clean.perType["transfer.cancelled"]).toBeGreaterThan(0);
    expect(Object.keys(clean.perRoute).sort()).toEqual(["designated_hospital", "fangcang"]);
    expect(clean.perRule["route.fangcang"]).toBeGreaterThan(0);
  });

  it("gives the same report, byte for byte, every run", async () => {
    const again = await auditLog(threeInstances);
    expect(JSON.stringify(again)).toBe(JSON.stringify(clean));
  });

  it("passes a log from one instance too", async () => {
    const report = await auditLog(oneInstance);
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("accepts decisions another producer wrote with their keys in another order, with the same digest", async () => {
    const reversed = (value: object) => Object.fromEntries(Object.entries(value).reverse());
    const log = copy(threeInstances);
    log.transfers = log.transfers.map((e) => ({ ...reversed(e), data: reversed(e.data) }) as AnyCloudEvent);
    const report = await auditLog(log);
    expect(report.mismatches).toEqual([]);
    expect(report.decisions.reproduced).toBe(clean.decisions.recorded);
    expect(report.replayDigest).toBe(clean.replayDigest);
  });

  describe("finds and pinpoints a single tampered decision", () => {
    it("changed: a transfer order sent to another facility", async () => {
      const log = copy(threeInstances);
      const i = nth(log, "transfer.ordered", 40);
      const original = log.transfers[i] as AnyCloudEvent;
      log.transfers[i] = { ...original, data: { ...original.data, facilityId: "FC-Elsewhere" } } as AnyCloudEvent;
      // The redelivered copies of the decision are tampered with too, so only one version is left.
      log.transfers = log.transfers.map((e) => (e.id === original.id ? (log.transfers[i] as AnyCloudEvent) : e));
      const report = await auditLog(log);
      expect(report.ok).toBe(false);
      expect(report.mismatchCounts).toEqual({ changed: 1 });
      expect(report.mismatches[0]).toMatchObject({
        kind: "changed",
        id: original.id,
        at: { topic: "transfers", index: log.transfers.findIndex((e) => e.id === original.id) },
        recorded: { data: { facilityId: "FC-Elsewhere" } },
        replayed: { data: { facilityId: (original.data as { facilityId: string }).facilityId } },
      });
    });

    it("deleted: a waitlisting removed", async () => {
      const log = copy(threeInstances);
      const removed = log.transfers[nth(log, "case.waitlisted", 25)] as AnyCloudEvent;
      log.transfers = log.transfers.filter((e) => e.id !== removed.id);
      const report = await auditLog(log);
      expect(report.mismatchCounts).toEqual({ missing: 1 });
      expect(report.mismatches[0]).toMatchObject({
        kind: "missing",
        id: removed.id,
        causationId: (removed.data as { causationId: string }).causationId,
      });
    });

    it("inserted: a forged transfer order", async () => {
      const log = copy(threeInstances);
      const model = log.transfers[nth(log, "transfer.ordered", 7)] as AnyCloudEvent;
      const forged = { ...model, id: "dec-forged", data: { ...model.data, decisionId: "dec-forged" } } as AnyCloudEvent;
      log.transfers.splice(500, 0, forged);
      const report = await auditLog(log);
      expect(report.mismatchCounts).toEqual({ unexpected: 1 });
      expect(report.mismatches[0]).toMatchObject({ kind: "unexpected", id: "dec-forged", at: { index: 500 } });
    });

    it("reordered: one case's two decisions swapped", async () => {
      const log = copy(threeInstances);
      // A case whose order was cancelled (hold expired): ordered, then cancelled.
      const cancelled = log.transfers[nth(log, "transfer.cancelled", 3)] as AnyCloudEvent;
      const caseId = cancelled.subject as string;
      const first = log.transfers.findIndex((e) => e.subject === caseId);
      const second = log.transfers.findIndex((e, i) => i > first && e.subject === caseId);
      const a = log.transfers[first] as AnyCloudEvent;
      log.transfers[first] = log.transfers[second] as AnyCloudEvent;
      log.transfers[second] = a;
      const report = await auditLog(log);
      expect(report.mismatchCounts).toEqual({ reordered: 1 });
      expect(report.mismatches[0]).toMatchObject({ kind: "reordered", caseId, at: { index: first } });
    });

    it("a receipt rewritten to another sequence number", async () => {
      const log = copy(threeInstances);
      const index = 10;
      const original = log.ledger[index] as AnyCloudEvent & { data: { receipts: { seq: number }[] } };
      const receipts = original.data.receipts.map((r, n) => (n === 0 ? { ...r, seq: r.seq + 100_000 } : r));
      log.ledger[index] = { ...original, data: { ...original.data, receipts } } as AnyCloudEvent;
      const report = await auditLog(log);
      expect(report.ok).toBe(false);
      expect(report.mismatches[0]?.kind).toMatch(/receipt|ledger_seq/);
    });
  });
});
