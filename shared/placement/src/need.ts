import type { BedClass, Capability, FacilityKind } from "@fangcang/contracts";

export interface PlacementAlternative {
  kind: FacilityKind;
  bedClass: BedClass;
}

/** What a case needs from a bed. Cases with equal needs share one waiting queue. */
export interface Need {
  /** Acceptable kinds of facility and bed, in order of preference. */
  alternatives: PlacementAlternative[];
  /** Capabilities the facility must have. */
  capabilities: Capability[];
}
