// The small workload the dependency-outage specs run through an allocator, and what they
// check afterwards: every case decided once, no dead letters, the ledger whole.
import type { TopicReader } from "@fangcang/bus";
import { type AnyCloudEvent, caseIdOf, cloudEvent } from "@fangcang/contracts";
import { checkLedgerInvariants, RedisLedger } from "@fangcang/ledger";
import { Redis } from "ioredis";
import { expect } from "vitest";
import type { TestNamespace } from "./namespace.ts";

const T0 = Date.parse("2022-04-10T08:00:00.000Z");

/** 150 shelter and 30 general beds in Xuhui. */
export const outageFacilities: AnyCloudEvent[] = [
  cloudEvent(
    "facility.registered",
    { id: "f-1", source: "test/ops", time: new Date(T0).toISOString() },
    { facilityId: "FC-1", name: "FC 1", kind: "fangcang", district: "Xuhui", beds: { shelter: 150 }, capabilities: [] },
  ),
  cloudEvent(
    "facility.registered",
    { id: "f-2", source: "test/ops", time: new Date(T0).toISOString() },
    {
      facilityId: "DH-1",
      name: "DH 1",
      kind: "designated_hospital",
      district: "Xuhui",
      beds: { general: 30 },
      capabilities: [],
    },
  ),
];

/** Case `i`: one in five moderate (a general bed), the others asymptomatic (shelter). */
export const outageReport = (i: number): AnyCloudEvent =>
  cloudEvent(
    "case.reported",
    { id: `outage-${i}`, source: "test/lab", time: new Date(T0 + i * 1000).toISOString() },
    {
      caseId: `c-${i}`,
      reportedAt: new Date(T0 + i * 1000).toISOString(),
      district: "Xuhui",
      ageYears: 40,
      sex: "female",
      severity: i % 5 === 0 ? "moderate" : "asymptomatic",
      detectedIn: "quarantine",
    },
  );

export const outageReports = (from: number, count: number): AnyCloudEvent[] =>
  Array.from({ length: count }, (_, i) => outageReport(from + i));

/** How many distinct cases have a decision on the transfers topic. */
export const decidedCases = (reader: TopicReader, ns: TestNamespace): number =>
  new Set(reader.events(ns.topics.transfers).map(caseIdOf)).size;

/**
 * Every one of `cases` cases has exactly one decision (a redelivered batch may repeat an
 * output, always with the same id, which consumers dedupe on), nothing was dead-lettered,
 * the ledger's invariants hold and it holds a bed for every ordered case.
 */
export async function expectEachCaseDecidedOnce(
  reader: TopicReader,
  ns: TestNamespace,
  redisUrl: string,
  cases: number,
): Promise<void> {
  const byId = new Map(reader.events(ns.topics.transfers).map((e) => [e.id, e]));
  const perCase = new Map<string, string[]>();
  for (const e of byId.values()) {
    const caseId = caseIdOf(e) as string;
    perCase.set(caseId, [...(perCase.get(caseId) ?? []), e.type]);
  }
  expect(perCase.size).toBe(cases);
  for (const [caseId, types] of perCase) expect(types, caseId).toHaveLength(1);
  expect(reader.messages.filter((m) => m.topic === ns.topics.deadLetter)).toEqual([]);

  const redis = new Redis(redisUrl);
  const snapshot = await new RedisLedger(redis, ns.redisPrefix.replace(/:$/, "")).snapshot();
  await redis.quit();
  expect(checkLedgerInvariants(snapshot)).toEqual([]);
  const held = snapshot.facilities.reduce(
    (sum, f) => sum + (f.counts.shelter?.held ?? 0) + (f.counts.general?.held ?? 0),
    0,
  );
  const ordered = [...perCase.values()].filter((t) => t[0] === "transfer.ordered").length;
  expect(held).toBe(ordered);
}

/** The allocator's readiness: HTTP status and the body's details. */
export async function readiness(healthPort: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
