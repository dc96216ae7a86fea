// A synthetic wave of contract events for the console's benchmarks: facilities, then cases
// reported, ordered or waitlisted, admitted, some closed, over 40 days of event time.
import { type AnyCloudEvent, cloudEvent } from "@fangcang/contracts";
import { shanghaiDistricts } from "@fangcang/placement";

export function* syntheticWave(cases: number, facilities = 120): Generator<AnyCloudEvent> {
  const bedsEach = Math.ceil((cases * 0.8) / facilities);
  const T0 = Date.parse("2022-04-01T00:00:00+08:00");
  const spanMs = 40 * 86_400_000;
  let n = 0;
  const at = (i: number) => new Date(T0 + Math.floor((i / cases) * spanMs)).toISOString();
  const provenance = (time: string) => ({
    decisionId: `d-${++n}`,
    policyVersion: "shanghai-2022-04-09.v1",
    decidedAt: time,
    causationId: `c-${n}`,
  });

  for (let f = 0; f < facilities; f++) {
    yield cloudEvent(
      "facility.registered",
      { id: `f-${f}`, source: "bench", time: at(0) },
      {
        facilityId: `FC-${f}`,
        name: `Fangcang ${f}`,
        kind: "fangcang",
        district: (shanghaiDistricts[f % 16] as { name: string }).name,
        beds: { shelter: bedsEach },
        capabilities: [],
      },
    );
  }
  for (let i = 0; i < cases; i++) {
    const caseId = `case-${i}`;
    const time = at(i);
    const district = (shanghaiDistricts[i % 16] as { name: string }).name;
    const meta = () => ({ id: `e-${++n}`, source: "bench", time });
    yield cloudEvent("case.reported", meta(), {
      caseId,
      reportedAt: time,
      district,
      ageYears: 40,
      sex: "female",
      severity: "mild",
      detectedIn: i % 3 === 0 ? "community" : "quarantine",
    });
    if (i % 10 === 9) {
      yield cloudEvent("case.waitlisted", meta(), {
        ...provenance(time),
        caseId,
        route: "fangcang",
        priority: 1 + (i % 6),
        reasons: ["mild-to-fangcang"],
      });
      continue;
    }
    const transferId = `t-${i}`;
    const facilityId = `FC-${i % facilities}`;
    yield cloudEvent("transfer.ordered", meta(), {
      ...provenance(time),
      transferId,
      caseId,
      facilityId,
      bedClass: "shelter",
      route: "fangcang",
      priority: 2,
      reasons: ["mild-to-fangcang"],
      holdExpiresAt: new Date(Date.parse(time) + 6 * 3_600_000).toISOString(),
    });
    if (i % 10 === 8) continue; // still in flight
    yield cloudEvent("transfer.admitted", meta(), { caseId, transferId, facilityId, at: time });
    if (i % 10 < 3) {
      yield cloudEvent("case.closed", meta(), { ...provenance(time), caseId, reason: "recovered" });
    }
  }
}
