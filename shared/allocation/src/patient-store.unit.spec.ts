import { CorruptPatientError, newPatient, type PatientSnapshot } from "@fangcang/patient";
import { shanghai2022 } from "@fangcang/triage";
import { describe, expect, it } from "vitest";
import { BatchedPatientStore, MemoryPatientStore } from "./patient-store.ts";

function patient(caseId: string): PatientSnapshot {
  return newPatient({
    caseId,
    district: "Xuhui",
    reportedAt: "2022-04-10T08:00:00.000Z",
    reportedBy: `op-${caseId}`,
    facts: { ageYears: 30, severity: "mild" },
    triage: {
      policyVersion: shanghai2022.version,
      severity: "mild",
      priority: 3,
      route: "fangcang",
      alternatives: [{ kind: "fangcang", bedClass: "shelter" }],
      requiredCapabilities: [],
      reasons: ["mild"],
    },
    appliedOps: [],
  });
}

/** A memory store that counts the reads it is asked for. */
class CountingStore extends MemoryPatientStore {
  gets = 0;
  readManys = 0;
  override async get(caseId: string) {
    this.gets++;
    return super.get(caseId);
  }
  override async readMany(caseIds: string[]) {
    this.readManys++;
    return super.readMany(caseIds);
  }
}

describe("BatchedPatientStore reading a batch's patients ahead", () => {
  it("reads them in one call and answers each get from it, unknown cases included", async () => {
    const stored = new CountingStore();
    await stored.putMany([patient("c1"), patient("c2")]);
    const batch = new BatchedPatientStore(stored);
    await batch.readAhead(["c1", "c2", "c3"]);
    expect((await batch.get("c1"))?.context.caseId).toBe("c1");
    expect((await batch.get("c2"))?.context.caseId).toBe("c2");
    expect(await batch.get("c3")).toBeUndefined();
    expect([stored.readManys, stored.gets]).toEqual([1, 0]);
  });

  it("answers with the batch's own change once a patient has changed", async () => {
    const stored = new CountingStore();
    await stored.putMany([patient("c1")]);
    const batch = new BatchedPatientStore(stored);
    await batch.readAhead(["c1"]);
    const changed = patient("c1");
    await batch.putMany([changed]);
    expect(await batch.get("c1")).toBe(changed);
  });

  it("finds a corrupt patient when it is asked for, not when the batch is read", async () => {
    const stored = new CountingStore();
    stored.putStored("c1", '{"version":1,"state":"nowhere"}');
    await stored.putMany([patient("c2")]);
    const batch = new BatchedPatientStore(stored);
    await batch.readAhead(["c1", "c2"]);
    await expect(batch.get("c1")).rejects.toBeInstanceOf(CorruptPatientError);
    expect((await batch.get("c2"))?.context.caseId).toBe("c2");
  });

  it("asks the store for each patient when it cannot read ahead", async () => {
    const stored = new CountingStore();
    await stored.putMany([patient("c1")]);
    const plain = { get: (id: string) => stored.get(id), putMany: (p: PatientSnapshot[]) => stored.putMany(p) };
    const batch = new BatchedPatientStore(plain);
    await batch.readAhead(["c1"]);
    expect((await batch.get("c1"))?.context.caseId).toBe("c1");
    expect(stored.gets).toBe(1);
  });
});
