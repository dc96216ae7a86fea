// What the allocator remembers about one case between its events. Persisted as
// {version, record}; a stored record is untrusted input and is validated on load.
import { CaseReported, Route } from "@fangcang/contracts";
import { z } from "zod";

export const CASE_RECORD_VERSION = 1;

export const CaseStatus = z.enum(["waiting", "ordered", "closed"]);
export type CaseStatus = z.infer<typeof CaseStatus>;

export const CaseRecord = z.object({
  caseId: z.string(),
  status: CaseStatus,
  reported: CaseReported,
  /** The ledger operation id of the report, to tell a redelivery from a second report. */
  reportedBy: z.string(),
  policyVersion: z.string(),
  route: Route,
  priority: z.number(),
  reasons: z.array(z.string()),
  transferId: z.string().optional(),
  facilityId: z.string().optional(),
});
export type CaseRecord = z.infer<typeof CaseRecord>;

export const StoredCaseRecord = z.object({ version: z.literal(CASE_RECORD_VERSION), record: CaseRecord });

export interface CaseStore {
  get(caseId: string): Promise<CaseRecord | undefined>;
  put(record: CaseRecord): Promise<void>;
}

/** Decodes a stored record, naming what is wrong with it. */
export function decodeCaseRecord(json: string): CaseRecord {
  const parsed = StoredCaseRecord.safeParse(JSON.parse(json));
  if (!parsed.success) {
    throw new Error(`stored case record is invalid: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  }
  return parsed.data.record;
}

export function encodeCaseRecord(record: CaseRecord): string {
  return JSON.stringify({ version: CASE_RECORD_VERSION, record });
}

export class MemoryCaseStore implements CaseStore {
  private readonly records = new Map<string, CaseRecord>();

  async get(caseId: string): Promise<CaseRecord | undefined> {
    return this.records.get(caseId);
  }

  async put(record: CaseRecord): Promise<void> {
    this.records.set(record.caseId, record);
  }
}
