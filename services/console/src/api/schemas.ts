// The console API's shapes as zod schemas: requests are validated with them, and the
// OpenAPI document is generated from them, so the two cannot disagree.
import {
  BedClass,
  Capability,
  FacilityKind,
  FacilityRegistered,
  FacilityStatus,
  Id,
  Route,
  Time,
} from "@fangcang/contracts";
import { shanghaiDistricts } from "@fangcang/placement";
import { z } from "zod";

/** The schemas the OpenAPI document names as components (the rest are inlined). */
export const apiComponents = z.registry<{ id: string }>();

function named<S extends z.ZodType>(id: string, schema: S): S {
  apiComponents.add(schema, { id });
  return schema;
}

export const Role = z.enum(["viewer", "operator", "admin"]);
export type Role = z.infer<typeof Role>;

export const ClearingStatus = z.enum(["cleared", "basically_cleared", "not_cleared", "insufficient_data"]);

const Count = z.number().int().min(0);
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day is YYYY-MM-DD");

export const Paging = z.object({
  offset: z.coerce.number().int().min(0).default(0).describe("Items to skip."),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe("Items to return, at most 500."),
});

export const ApiError = named(
  "Error",
  z.object({
    error: z.string().describe("What was wrong, and what to do."),
    problems: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe("Each problem with the request, where it is."),
  }),
);

export const BedCount = named(
  "BedCount",
  z.object({
    capacity: Count.describe("The total operations asked for."),
    total: Count.describe("Effective total: lowering capacity never evicts, so at least the beds in use."),
    free: Count,
    held: Count.describe("Held for a transfer that is not admitted yet."),
    occupied: Count,
  }),
);

export const Facility = named(
  "Facility",
  z.object({
    facilityId: z.string(),
    name: z.string().nullable(),
    kind: FacilityKind.nullable().describe("Null while only beds in use have been seen, not the registration."),
    district: z.string().nullable(),
    status: FacilityStatus,
    capabilities: z.array(z.string()),
    beds: z.partialRecord(BedClass, BedCount),
    registeredAt: Time.nullable(),
    updatedAt: Time.nullable(),
  }),
);

export const FacilityList = named("FacilityList", z.object({ asOf: Time.nullable(), items: z.array(Facility) }));

export const QueueEntry = named(
  "QueueEntry",
  z.object({
    caseId: z.string(),
    priority: z.number(),
    route: Route.nullable(),
    reasons: z.array(z.string()),
    district: z.string().nullable(),
    waitingSince: Time.nullable(),
  }),
);

export const PriorityCount = named("PriorityCount", z.object({ priority: z.number(), count: Count }));

export const Queue = named(
  "Queue",
  z.object({
    total: Count,
    byPriority: z.array(PriorityCount).describe("Waiting cases per priority, most urgent first."),
    offset: Count,
    items: z.array(QueueEntry).describe("Most urgent first, then longest waiting, then case id."),
  }),
);

export const TransferInFlight = named(
  "TransferInFlight",
  z.object({
    transferId: z.string(),
    caseId: z.string(),
    facilityId: z.string(),
    bedClass: BedClass,
    route: Route,
    priority: z.number().nullable(),
    orderedAt: Time,
    holdExpiresAt: Time,
    overdue: z.boolean().describe("The hold expired (by the latest event time) and no admission was seen."),
  }),
);

export const TransfersQuery = Paging.extend({
  overdue: z.enum(["true", "false"]).optional().describe("Only overdue holds (true) or only those still in time."),
});

export const Transfers = named(
  "Transfers",
  z.object({
    asOf: Time.nullable(),
    total: Count,
    overdue: Count,
    offset: Count,
    items: z.array(TransferInFlight).describe("Earliest hold expiry first."),
  }),
);

export const HistoryEntry = named(
  "HistoryEntry",
  z.object({
    id: z.string(),
    source: z.string(),
    type: z.string(),
    time: Time,
    data: z.record(z.string(), z.unknown()).describe("The event's data: decisions carry reasons and policyVersion."),
  }),
);

export const CaseStatus = z.enum([
  "reported",
  "placing",
  "waiting",
  "ordered",
  "admitted",
  "release_eligible",
  "closed",
]);

export const CaseDetail = named(
  "CaseDetail",
  z.object({
    caseId: z.string(),
    status: CaseStatus,
    district: z.string().nullable(),
    detectedIn: z.enum(["quarantine", "community"]).nullable(),
    severity: z.string().nullable(),
    reportedAt: Time.nullable(),
    priority: z.number().nullable(),
    route: Route.nullable(),
    reasons: z.array(z.string()),
    policyVersion: z.string().nullable(),
    facilityId: z.string().nullable(),
    transferId: z.string().nullable(),
    closedReason: z.string().nullable(),
    history: z.array(HistoryEntry).describe("Every event about the case, inputs and decisions, in arrival order."),
  }),
);

export const EscalationItem = named(
  "Escalation",
  z.object({
    caseId: z.string(),
    fromFacilityId: z.string(),
    reason: z.string(),
    at: Time,
    decisionId: z.string(),
    policyVersion: z.string(),
  }),
);

export const Escalations = named(
  "Escalations",
  z.object({ total: Count, offset: Count, items: z.array(EscalationItem).describe("Newest first.") }),
);

export const DistrictsQuery = z.object({
  day: Day.optional().describe("Last day of the three-day window (Shanghai date); default: the last complete day."),
});

export const DistrictRow = named(
  "DistrictRow",
  z.object({
    district: z.string(),
    nameZh: z.string(),
    population: Count,
    status: ClearingStatus,
    counts: z.array(Count).describe("New community cases on each window day, oldest first."),
    ratesPer100k: z.array(z.number()),
    today: Count.describe("Community cases so far on the day of the latest event."),
  }),
);

export const Districts = named(
  "Districts",
  z.object({
    asOf: Time.nullable(),
    window: z.array(Day).describe("The three days the status is computed over, oldest first."),
    today: Day.nullable(),
    dataSince: Day.nullable().describe("First day with a reported case; earlier days are unknown, not zero."),
    otherDistrictCases: Count.describe("Community cases reported with a district outside the 16."),
    districts: z.array(DistrictRow),
  }),
);

export const SeriesPoint = named(
  "SeriesPoint",
  z.object({ t: Time, total: Count, occupied: Count, held: Count, waiting: Count }),
);

export const Overview = named(
  "Overview",
  z.object({
    asOf: Time.nullable().describe("The latest event time the read model has seen."),
    ready: z.boolean().describe("The read model has caught up with the log as it was at start."),
    beds: z.object({ total: Count, free: Count, held: Count, occupied: Count }),
    bedsByKind: z.array(z.object({ kind: FacilityKind, bedClass: BedClass, ...BedCount.shape })),
    waiting: Count,
    waitingByPriority: z.array(PriorityCount),
    inFlight: Count,
    overdue: Count,
    escalations: Count,
    cases: Count,
    facilities: Count,
    series: z.array(SeriesPoint).describe("Occupancy and queue length over event time."),
  }),
);

export const Me = named("Me", z.object({ subject: z.string(), role: Role }));

export const FacilityIdParams = z.object({ facilityId: Id });
export const CaseIdParams = z.object({ caseId: Id });

export const RegisterFacility = FacilityRegistered.omit({ actor: true })
  .extend({
    // The allocator refuses any other district.
    district: z.enum(shanghaiDistricts.map((d) => d.name) as [string, ...string[]]),
    capabilities: z.array(Capability).max(Capability.options.length).default([]),
  })
  .strict();

export const ChangeBeds = z.object({ bedClass: BedClass, total: z.number().int().min(0).max(1_000_000) }).strict();

export const ChangeStatus = z.object({ status: FacilityStatus }).strict();

export const Accepted = named(
  "Accepted",
  z.object({
    eventId: z.string().describe("The CloudEvent id of the facility event produced."),
    type: z.string(),
    time: Time,
    source: z.string(),
    actor: z.object({ subject: z.string(), role: z.string() }),
  }),
);

export const Health = z.object({ status: z.enum(["ok", "unavailable"]) }).catchall(z.unknown());
