// The national protocol, 9th edition (March 2022), without Shanghai's sub-designated tier:
// "cases with high-risk factors go to designated hospitals", age over 60 included.
// Same clinical thresholds as shanghai-2022-04-09.v1; only placement differs.
import { definePolicy } from "../clinical-policy.ts";
import { shanghai2022 } from "./shanghai-2022-04-09.ts";

const designatedGeneral = { kind: "designated_hospital", bedClass: "general" } as const;

export const national9thEdition = definePolicy({
  ...shanghai2022,
  version: "national-9th-ed.v1",
  elderlyAloneRequiresHospital: true,
  placements: {
    ...shanghai2022.placements,
    highRisk: [designatedGeneral],
    elderlyAlone: [designatedGeneral],
  },
});
