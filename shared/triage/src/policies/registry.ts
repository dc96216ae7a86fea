// Every policy version a decision may have been recorded under. Never remove or edit a published
// version: add a new one, so a replay of an old log re-derives its decisions exactly.
import type { ClinicalPolicy } from "../clinical-policy.ts";
import { national9thEdition } from "./national-9th-ed.ts";
import { shanghai2022 } from "./shanghai-2022-04-09.ts";

export { national9thEdition, shanghai2022 };

function byVersion(list: readonly ClinicalPolicy[]): Record<string, ClinicalPolicy> {
  const index: Record<string, ClinicalPolicy> = Object.create(null);
  for (const policy of list) {
    if (Object.hasOwn(index, policy.version)) {
      throw new Error(`Two clinical policies share version "${policy.version}"`);
    }
    index[policy.version] = policy;
  }
  return Object.freeze(index);
}

export const policies: Record<string, ClinicalPolicy> = byVersion([shanghai2022, national9thEdition]);

export function policyByVersion(version: string): ClinicalPolicy {
  const policy = Object.hasOwn(policies, version) ? policies[version] : undefined;
  if (policy === undefined) {
    throw new Error(
      `Unknown clinical policy version "${version}"; known versions: ${Object.keys(policies).join(", ")}. ` +
        "A recorded decision can only be replayed under a version that is still registered in @fangcang/triage.",
    );
  }
  return policy;
}
