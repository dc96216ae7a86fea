// Facility choice: among open facilities of an acceptable kind with the needed capabilities
// and a free bed of the needed class: the first alternative that has one, then the nearest
// district, then the least loaded ((held + occupied) / total, compared exactly), then the
// smallest facility id. The Redis ledger's place-1.lua implements the same order; the
// ledger contract tests hold the two together.
import type { BedClass, Capability, FacilityKind, FacilityStatus } from "@fangcang/contracts";
import type { Need } from "./need.ts";

export interface FacilityView {
  facilityId: string;
  kind: FacilityKind;
  district: string;
  status: FacilityStatus;
  capabilities: readonly Capability[];
  /** Beds in use (held + occupied) and total, for one class. */
  usage(bedClass: BedClass): { used: number; total: number };
}

/** Facilities of one kind in one district that are open with a free bed of the class. */
export type AvailableFacilities = (kind: FacilityKind, bedClass: BedClass, district: string) => Iterable<FacilityView>;

export interface Choice {
  facilityId: string;
  bedClass: BedClass;
}

function hasAll(have: readonly Capability[], need: readonly Capability[]): boolean {
  for (const capability of need) if (!have.includes(capability)) return false;
  return true;
}

export function chooseFacility(need: Need, nearest: readonly string[], available: AvailableFacilities): Choice | null {
  for (const { kind, bedClass } of need.alternatives) {
    for (const district of nearest) {
      let best: FacilityView | null = null;
      let bestUsed = 0;
      let bestTotal = 1;
      for (const facility of available(kind, bedClass, district)) {
        if (!hasAll(facility.capabilities, need.capabilities)) continue;
        const { used, total } = facility.usage(bedClass);
        const lhs = used * bestTotal;
        const rhs = bestUsed * total;
        if (best === null || lhs < rhs || (lhs === rhs && facility.facilityId < best.facilityId)) {
          best = facility;
          bestUsed = used;
          bestTotal = total;
        }
      }
      if (best !== null) return { facilityId: best.facilityId, bedClass };
    }
  }
  return null;
}

/** Whether a facility's bed of this kind and class can serve a need (used when a bed frees). */
export function servesNeed(need: Need, kind: FacilityKind, bedClass: BedClass, capabilities: readonly Capability[]) {
  return (
    need.alternatives.some((a) => a.kind === kind && a.bedClass === bedClass) && hasAll(capabilities, need.capabilities)
  );
}
