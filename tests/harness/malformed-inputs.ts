// A seeded stream of inputs the allocator must refuse, each tagged with the dead letter it
// must produce, interleaved with valid events whose decisions must all appear. The same
// seed gives the same stream, so a failure can be replayed exactly.
//
// Every malformed input has exactly one fault, so the first error of its dead letter is
// known in advance. Inputs that depend on a case's state (out-of-order events, duplicate
// reports) follow, on the same key and so the same partition, the valid events that put
// the case in that state.
import {
  type AnyCloudEvent,
  cloudEvent,
  DEFAULT_MAX_EVENT_BYTES,
  type EventData,
  type EventType,
  type TopicRole,
  toKafkaMessage,
} from "@fangcang/contracts";
import { seededRandom } from "@fangcang/scenario";

export type InputTopic = Extract<TopicRole, "cases" | "facilities">;

/** One Kafka message as the generator sends it. */
export interface RawInput {
  topic: InputTopic;
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers: Record<string, string | Buffer>;
}

/** The part of a dead letter known in advance. */
export interface ExpectedLetter {
  code: string;
  /** The header name, `key`, or a path into `data`; absent where the reason has none. */
  path?: string;
  /** The patient state that refused the input, for refusals by state. */
  state?: string;
}

export const categories = [
  "broken JSON",
  "invalid data",
  "unknown type",
  "missing header",
  "malformed header",
  "content type",
  "oversized",
  "key mismatch",
  "wrong topic",
  "unknown case",
  "unknown facility",
  "unknown district",
  "out of order",
  "duplicate case",
] as const;
export type Category = (typeof categories)[number];

export interface MalformedInput extends RawInput {
  category: Category;
  /** What exactly is wrong, for failure messages. */
  variant: string;
  /** Unique in the plan: the ce_id header, or the key where ce_id itself is the fault. */
  marker: string;
  expected: ExpectedLetter;
}

export interface ValidInput extends RawInput {
  ceId: string;
}

export type StreamItem = { valid: true; input: ValidInput } | { valid: false; input: MalformedInput };

export interface InputPlan {
  /** Facilities registered (and awaited) before the stream, so placements are known. */
  setup: AnyCloudEvent[];
  /** Everything to produce, in order. */
  stream: StreamItem[];
  malformed: MalformedInput[];
  /** Every valid case.reported in the stream: caseId → its CloudEvent id (the decision's causationId). */
  validCases: Map<string, string>;
  /** Every facility a valid event registers, setup included. */
  validFacilities: string[];
}

export interface PlanOptions {
  seed: number;
  /** How many malformed inputs besides the oversized and state-dependent ones. */
  malformed?: number;
  oversized?: number;
  /** Valid reports that no malformed input refers to. */
  validCases?: number;
  /** Valid reports left placed ("ordered"); out-of-order and duplicate inputs refer to them. */
  orderedAnchors?: number;
  /** Valid reports withdrawn ("closed") before anything refers to them. */
  closedAnchors?: number;
  /** Inputs refused by an anchor's state (out of order and duplicate reports). */
  stateRefusals?: number;
}

export const SOURCE = "test/bad-input";
export const MARKER = /^bad-\d{5}$/;
const T0 = Date.parse("2022-04-10T08:00:00.000Z");
/** Every event time falls in this window, far inside the 12 h hold window: no hold expires. */
const WINDOW_MINUTES = 30;
const SETUP_DISTRICTS = ["Pudong", "Xuhui", "Minhang", "Baoshan"] as const;
const OTHER_DISTRICTS = ["Huangpu", "Jingan", "Changning", "Putuo", "Hongkou", "Yangpu", "Jiading", "Songjiang"];
const DISTRICTS = [...SETUP_DISTRICTS, ...OTHER_DISTRICTS];
const ALL_CAPABILITIES = ["icu", "obstetrics", "pediatrics", "dialysis", "geriatrics"] as const;
const SEVERITIES = ["asymptomatic", "mild", "moderate", "severe", "critical"] as const;
const CONDITIONS = ["hypertension", "diabetes", "cancer", "dialysis", "obesity", "chronic_lung"] as const;
/** A facility no valid event registers. */
const ELSEWHERE = "fac-elsewhere";

/** The dead letter's text form of a raw value (see services/allocator/src/dead-letter.ts). */
export function deadLetterText(value: Buffer | string): string {
  if (typeof value === "string") return value;
  const decoded = value.toString("utf8");
  return Buffer.from(decoded, "utf8").equals(value) ? decoded : `base64:${value.toString("base64")}`;
}

/** The marker a dead letter carries: its ce_id when that is a marker, else its key. */
export function markerOf(letter: { headers: Record<string, string>; key: string | null }): string | null {
  const id = letter.headers.ce_id;
  return id !== undefined && MARKER.test(id) ? id : letter.key;
}

// ---- randomness ------------------------------------------------------------------------

/** mulberry32 (the scenarios' generator): a seed replays a run exactly. */
const random = seededRandom;

class Dice {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = random(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(0, 255)));
  }
  time(): string {
    return new Date(T0 + Math.floor(this.next() * WINDOW_MINUTES * 60_000)).toISOString();
  }
}

// ---- building messages ---------------------------------------------------------------------

type Data = Record<string, unknown>;
const REMOVE = Symbol("remove");

function headersFor(type: string, id: string, time: string): Record<string, string | Buffer> {
  return {
    ce_specversion: "1.0",
    ce_id: id,
    ce_source: SOURCE,
    ce_type: type,
    ce_time: time,
    "content-type": "application/json",
  };
}

function withField(data: Data, path: readonly string[], value: unknown): Data {
  const [head, ...rest] = path;
  if (head === undefined) throw new Error("empty path");
  const copy: Data = { ...data };
  if (rest.length === 0) {
    if (value === REMOVE) delete copy[head];
    else copy[head] = value;
  } else {
    copy[head] = withField((data[head] as Data | undefined) ?? {}, rest, value);
  }
  return copy;
}

/** The data a contract event of each input type carries; valid unless changed afterwards. */
class Samples {
  private readonly dice: Dice;
  constructor(dice: Dice) {
    this.dice = dice;
  }

  data(type: EventType, id: string): Data {
    const d = this.dice;
    const at = d.time();
    switch (type) {
      case "case.reported":
        return {
          caseId: id,
          reportedAt: at,
          district: d.pick(DISTRICTS),
          ageYears: d.int(18, 55),
          sex: d.pick(["female", "male", "unknown"]),
          severity: d.pick(["asymptomatic", "mild"]),
          detectedIn: d.pick(["quarantine", "community"]),
        };
      case "case.reclassified":
        return { caseId: id, at, severity: d.pick(SEVERITIES) };
      case "case.test-result":
        return { caseId: id, sampledAt: at, nGeneCt: d.int(15, 40), orfGeneCt: d.int(15, 40) };
      case "case.withdrawn":
        return { caseId: id, at, reason: d.pick(["duplicate", "false_positive", "deceased", "left_jurisdiction"]) };
      case "transfer.admitted":
        return { caseId: id, transferId: `tr-forged-${id}`, facilityId: ELSEWHERE, at };
      case "transfer.rejected":
        return { caseId: id, transferId: `tr-forged-${id}`, facilityId: ELSEWHERE, at, reason: "no beds after all" };
      case "patient.discharged":
        return { caseId: id, facilityId: ELSEWHERE, at, outcome: d.pick(["recovered", "transferred_out", "deceased"]) };
      case "case.bed-offered":
        return {
          caseId: id,
          transferId: `tr-forged-${id}`,
          facilityId: ELSEWHERE,
          bedClass: "shelter",
          route: "fangcang",
          holdExpiresAt: at,
          ledgerSeq: 1,
          causationId: "forged",
        };
      case "case.hold-expired":
        return {
          caseId: id,
          transferId: `tr-forged-${id}`,
          facilityId: ELSEWHERE,
          expiredAt: at,
          ledgerSeq: 1,
          causationId: "forged",
        };
      case "facility.registered":
        return {
          facilityId: id,
          name: `Facility ${id}`,
          kind: d.pick(["designated_hospital", "sub_designated_hospital", "fangcang"]),
          district: d.pick(DISTRICTS),
          beds: { general: d.int(1, 50) },
          capabilities: ["geriatrics"],
        };
      case "facility.beds-changed":
        return { facilityId: id, at, bedClass: d.pick(["general", "icu", "shelter"]), total: d.int(0, 500) };
      case "facility.status-changed":
        return { facilityId: id, at, status: d.pick(["open", "paused", "closed"]) };
      case "transfer.ordered":
        return {
          transferId: `tr-${id}`,
          caseId: id,
          facilityId: ELSEWHERE,
          bedClass: "shelter",
          route: "fangcang",
          priority: 1,
          reasons: ["route.fangcang"],
          holdExpiresAt: at,
          ...this.provenance(at),
        };
      case "case.waitlisted":
        return { caseId: id, route: "fangcang", priority: 1, reasons: ["route.fangcang"], ...this.provenance(at) };
      case "transfer.cancelled":
        return { transferId: `tr-${id}`, caseId: id, reason: "withdrawn", ...this.provenance(at) };
      case "case.escalated":
        return { caseId: id, fromFacilityId: ELSEWHERE, reason: "worsened", ...this.provenance(at) };
      case "case.release-eligible":
        return {
          caseId: id,
          facilityId: ELSEWHERE,
          tests: [
            { sampledAt: at, nGeneCt: 36, orfGeneCt: 37 },
            { sampledAt: at, nGeneCt: 38, orfGeneCt: 38 },
          ],
          ...this.provenance(at),
        };
      case "case.closed":
        return { caseId: id, reason: "recovered", ...this.provenance(at) };
      case "ledger.receipts":
        return { batchId: id, receipts: [{ causationId: `forged-${id}`, opId: `op-forged-${id}`, seq: 1 }] };
      default: {
        const unreachable: never = type;
        return unreachable;
      }
    }
  }

  private provenance(at: string): Data {
    return { decisionId: "dec-forged", policyVersion: "shanghai-2022-04-09.v1", decidedAt: at, causationId: "forged" };
  }
}

const caseInputTypes = [
  "case.reported",
  "case.reclassified",
  "case.test-result",
  "case.withdrawn",
  "transfer.admitted",
  "transfer.rejected",
  "patient.discharged",
  "case.bed-offered",
  "case.hold-expired",
] as const satisfies EventType[];
const facilityInputTypes = [
  "facility.registered",
  "facility.beds-changed",
  "facility.status-changed",
] as const satisfies EventType[];
const outputTypes = [
  "transfer.ordered",
  "case.waitlisted",
  "transfer.cancelled",
  "case.escalated",
  "case.release-eligible",
  "case.closed",
] as const satisfies EventType[];
const topicOf = (type: EventType): InputTopic =>
  (facilityInputTypes as readonly string[]).includes(type) ? "facilities" : "cases";
const keyFieldOf = (type: EventType): "caseId" | "facilityId" =>
  topicOf(type) === "facilities" ? "facilityId" : "caseId";

/** One fault in the data of one event type, and where zod reports it. */
interface DataFault {
  type: EventType;
  variant: string;
  /** A change to a valid sample, or a whole replacement of `data`. */
  change: { path: readonly string[]; value: unknown } | { whole: unknown };
  path: string;
}

const long = (n: number) => "x".repeat(n);
/** Sets `path` to `value`; zod reports the fault at `path`, or deeper at `reported`. */
const fault = (
  type: EventType,
  variant: string,
  path: readonly string[],
  value: unknown,
  reported: readonly string[] = path,
): DataFault => ({
  type,
  variant,
  change: { path, value },
  path: ["data", ...reported].join("."),
});
const missing = (type: EventType, field: string) => fault(type, `missing ${field}`, [field], REMOVE);
const badTimes = ["2022-04-10", "yesterday", "2022-04-10T08:00:00", "2022-13-40T08:00:00Z", 1649577600000];

const dataFaults: DataFault[] = [
  // case.reported: every required field, wrong types, ranges, enums, times, the strict vitals object.
  ...["caseId", "reportedAt", "district", "ageYears", "sex", "severity", "detectedIn"].map((f) =>
    missing("case.reported", f),
  ),
  fault("case.reported", "caseId a number", ["caseId"], 42),
  fault("case.reported", "caseId empty", ["caseId"], ""),
  fault("case.reported", "caseId too long", ["caseId"], long(129)),
  fault("case.reported", "caseId with a space", ["caseId"], "case 17"),
  fault("case.reported", "caseId not ASCII", ["caseId"], "病例-17"),
  fault("case.reported", "ageYears a string", ["ageYears"], "thirty"),
  fault("case.reported", "ageYears null", ["ageYears"], null),
  fault("case.reported", "ageYears negative", ["ageYears"], -1),
  fault("case.reported", "ageYears above 130", ["ageYears"], 131),
  fault("case.reported", "ageYears huge", ["ageYears"], 1e9),
  fault("case.reported", "district empty", ["district"], ""),
  fault("case.reported", "district too long", ["district"], long(65)),
  fault("case.reported", "district a number", ["district"], 7),
  fault("case.reported", "sex not in the vocabulary", ["sex"], "F"),
  fault("case.reported", "sex a number", ["sex"], 1),
  fault("case.reported", "severity not in the vocabulary", ["severity"], "terminal"),
  fault("case.reported", "severity capitalised", ["severity"], "Mild"),
  fault("case.reported", "severity an array", ["severity"], ["mild"]),
  fault("case.reported", "detectedIn not in the vocabulary", ["detectedIn"], "airport"),
  fault("case.reported", "pregnancyWeeks above 45", ["pregnancyWeeks"], 46),
  fault("case.reported", "pregnancyWeeks a string", ["pregnancyWeeks"], "20"),
  fault("case.reported", "conditions a string", ["conditions"], "diabetes"),
  fault("case.reported", "condition unknown", ["conditions"], ["flu"], ["conditions", "0"]),
  fault("case.reported", "second condition unknown", ["conditions"], ["diabetes", "covid"], ["conditions", "1"]),
  fault("case.reported", "more conditions than exist", ["conditions"], Array(13).fill("diabetes")),
  fault("case.reported", "vitals a string", ["vitals"], "normal"),
  fault("case.reported", "spo2 above 100", ["vitals", "spo2"], 101),
  fault("case.reported", "spo2 negative", ["vitals", "spo2"], -5),
  fault("case.reported", "respiratoryRate above 200", ["vitals", "respiratoryRate"], 201),
  fault("case.reported", "householdId with a slash", ["householdId"], "flat/12"),
  fault("case.reported", "guardianCaseId empty", ["guardianCaseId"], ""),
  ...badTimes.map((t) => fault("case.reported", `reportedAt ${JSON.stringify(t)}`, ["reportedAt"], t)),
  {
    type: "case.reported",
    variant: "vitals with an unknown field",
    change: { path: ["vitals"], value: { spo2: 95, heartRate: 80 } },
    path: "data.vitals",
  },
  // the other case events
  missing("case.reclassified", "severity"),
  missing("case.reclassified", "at"),
  fault("case.reclassified", "severity not in the vocabulary", ["severity"], "worse"),
  fault("case.reclassified", "spo2 above 100", ["vitals", "spo2"], 150),
  fault("case.reclassified", "at without offset", ["at"], "2022-04-10T09:00:00"),
  missing("case.test-result", "nGeneCt"),
  missing("case.test-result", "sampledAt"),
  fault("case.test-result", "nGeneCt negative", ["nGeneCt"], -1),
  fault("case.test-result", "nGeneCt above 50", ["nGeneCt"], 51),
  fault("case.test-result", "nGeneCt a string", ["nGeneCt"], "38"),
  fault("case.test-result", "orfGeneCt null", ["orfGeneCt"], null),
  missing("case.withdrawn", "reason"),
  fault("case.withdrawn", "reason not in the vocabulary", ["reason"], "bored"),
  fault("case.withdrawn", "at not a time", ["at"], "now"),
  missing("transfer.admitted", "transferId"),
  missing("transfer.admitted", "facilityId"),
  fault("transfer.admitted", "transferId empty", ["transferId"], ""),
  fault("transfer.admitted", "facilityId with a space", ["facilityId"], "fac 1"),
  missing("transfer.rejected", "reason"),
  fault("transfer.rejected", "reason too long", ["reason"], long(501)),
  fault("transfer.rejected", "reason a number", ["reason"], 42),
  missing("patient.discharged", "facilityId"),
  fault("patient.discharged", "outcome not in the vocabulary", ["outcome"], "escaped"),
  fault("case.bed-offered", "bedClass not in the vocabulary", ["bedClass"], "suite"),
  fault("case.bed-offered", "route not in the vocabulary", ["route"], "helicopter"),
  fault("case.bed-offered", "ledgerSeq negative", ["ledgerSeq"], -1),
  fault("case.bed-offered", "ledgerSeq a fraction", ["ledgerSeq"], 1.5),
  fault("case.bed-offered", "causationId empty", ["causationId"], ""),
  fault("case.bed-offered", "holdExpiresAt not a time", ["holdExpiresAt"], "soon"),
  missing("case.hold-expired", "expiredAt"),
  fault("case.hold-expired", "ledgerSeq a string", ["ledgerSeq"], "1"),
  // facility events
  ...["name", "kind", "district", "beds", "capabilities"].map((f) => missing("facility.registered", f)),
  fault("facility.registered", "name empty", ["name"], ""),
  fault("facility.registered", "name too long", ["name"], long(201)),
  fault("facility.registered", "kind not in the vocabulary", ["kind"], "clinic"),
  fault("facility.registered", "beds negative", ["beds", "general"], -3),
  fault("facility.registered", "beds a fraction", ["beds", "general"], 1.5),
  fault("facility.registered", "beds above a million", ["beds", "icu"], 1_000_001),
  fault("facility.registered", "beds a string", ["beds", "shelter"], "ten"),
  fault("facility.registered", "beds an array", ["beds"], [10]),
  fault("facility.registered", "bed class not in the vocabulary", ["beds"], { suite: 3 }),
  fault("facility.registered", "capability unknown", ["capabilities"], ["surgery"], ["capabilities", "0"]),
  fault("facility.registered", "more capabilities than exist", ["capabilities"], Array(6).fill("icu")),
  missing("facility.beds-changed", "at"),
  missing("facility.beds-changed", "total"),
  fault("facility.beds-changed", "bedClass not in the vocabulary", ["bedClass"], "suite"),
  fault("facility.beds-changed", "total negative", ["total"], -1),
  fault("facility.beds-changed", "total a fraction", ["total"], 2.5),
  fault("facility.beds-changed", "total above a million", ["total"], 1_000_001),
  fault("facility.beds-changed", "total a string", ["total"], "10"),
  missing("facility.status-changed", "status"),
  fault("facility.status-changed", "status not in the vocabulary", ["status"], "demolished"),
  fault("facility.status-changed", "status upper case", ["status"], "OPEN"),
  // data that is not an object at all, or an empty one
  ...(["case.reported", "facility.registered", "patient.discharged"] as const).flatMap((type) =>
    [
      ["an array", []],
      ["a string", "case"],
      ["a number", 42],
      ["null", null],
      ["true", true],
    ].map(([what, whole]) => ({ type, variant: `data ${what}`, change: { whole }, path: "data" }) as DataFault),
  ),
  {
    type: "case.reported",
    variant: "data an empty object",
    change: { whole: {} },
    path: "data.caseId",
  },
  {
    type: "facility.beds-changed",
    variant: "data an empty object",
    change: { whole: {} },
    path: "data.facilityId",
  },
];

const unknownTypes = [
  "case.teleported",
  "case.Reported",
  "CASE.REPORTED",
  "case.reported.v2",
  "case_reported",
  " case.reported",
  "case.reported ",
  "facility.demolished",
  "com.example.case.reported",
  "case.bed-offered.v0",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "patient.admitted",
];
const requiredHeaders = ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time"] as const;
const badHeaders: [string, string | Buffer][] = [
  ["ce_specversion", "1.1"],
  ["ce_specversion", "0.3"],
  ["ce_specversion", "1"],
  ["ce_specversion", ""],
  ["ce_specversion", "1.0 "],
  ["ce_id", ""],
  ["ce_id", long(257)],
  ["ce_source", ""],
  ["ce_source", long(257)],
  ["ce_type", ""],
  ["ce_type", `case.${long(252)}`],
  ["ce_time", "yesterday"],
  ["ce_time", "2022-04-10"],
  ["ce_time", "2022-04-10T08:00:00"],
  ["ce_time", "10/04/2022 08:00"],
  ["ce_time", Buffer.from([0xff, 0xfe, 0x32, 0x30, 0x32, 0x32])],
  ["ce_subject", ""],
  ["ce_subject", long(257)],
];
const badContentTypes = [
  "text/plain",
  "application/xml",
  "application/cloudevents+json",
  "application/avro",
  "application/octet-stream",
  "text/json",
  "",
];
const unknownDistricts = ["Atlantis", "xuhui", "Xuhui ", "徐汇区", "Wuhan", "Pudong New Area", "PUDONG"];

// ---- the plan ------------------------------------------------------------------------------

/** Where in the stream an item goes: items are sorted on it, so ranges order dependent items. */
interface Placed {
  item: StreamItem;
  at: number;
}

export function planInputs(options: PlanOptions): InputPlan {
  const d = new Dice(options.seed);
  const samples = new Samples(d);
  const placed: Placed[] = [];
  const malformed: MalformedInput[] = [];
  const validCases = new Map<string, string>();
  const validFacilities: string[] = [];
  let validSeq = 0;
  let badSeq = 0;

  const valid = (event: AnyCloudEvent, at: number) => {
    const message = toKafkaMessage(event);
    placed.push({
      item: { valid: true, input: { topic: topicOf(event.type), ceId: event.id, ...message } },
      at,
    });
  };
  const validEvent = <T extends EventType>(type: T, data: EventData<T>, time: string) =>
    cloudEvent(type, { id: `ok-${String(++validSeq).padStart(5, "0")}`, source: SOURCE, time }, data);
  const nextMarker = () => `bad-${String(++badSeq).padStart(5, "0")}`;
  /** A well-formed message of `type` with marker as ce_id, and a fresh key unless given. */
  const wellFormed = (type: EventType, marker: string, id = `${marker}-k`): RawInput & { data: Data } => {
    const data = samples.data(type, id);
    return {
      topic: topicOf(type),
      key: id,
      value: JSON.stringify(data),
      headers: headersFor(type, marker, d.time()),
      data,
    };
  };
  const bad = (
    category: Category,
    variant: string,
    marker: string,
    raw: RawInput,
    expected: ExpectedLetter,
    at = d.next(),
  ) => {
    const input: MalformedInput = {
      category,
      variant,
      marker,
      expected,
      topic: raw.topic,
      key: raw.key,
      value: raw.value,
      headers: raw.headers,
    };
    malformed.push(input);
    placed.push({ item: { valid: false, input }, at });
  };

  // Setup: every kind of facility, with every capability and ample beds, in four districts.
  const setup: AnyCloudEvent[] = [];
  for (const district of SETUP_DISTRICTS) {
    for (const kind of ["designated_hospital", "sub_designated_hospital", "fangcang"] as const) {
      const facilityId = `fac-${district.toLowerCase()}-${kind}`;
      const beds = kind === "fangcang" ? { shelter: 2_000 } : { general: 2_000, icu: 500 };
      setup.push(
        cloudEvent(
          "facility.registered",
          { id: `setup-${facilityId}`, source: SOURCE, time: new Date(T0).toISOString() },
          { facilityId, name: `${district} ${kind}`, kind, district, beds, capabilities: [...ALL_CAPABILITIES] },
        ),
      );
      validFacilities.push(facilityId);
    }
  }
  const setupIds = [...validFacilities];

  // Valid events: reports across districts and severities, and facility changes that only add beds.
  const report = (caseId: string, data: Partial<EventData<"case.reported">>, at: number) => {
    const time = d.time();
    const event = validEvent(
      "case.reported",
      {
        caseId,
        reportedAt: time,
        district: d.pick(DISTRICTS),
        ageYears: d.int(20, 50),
        sex: d.pick(["female", "male", "unknown"]),
        severity: "mild",
        detectedIn: d.pick(["quarantine", "community"]),
        ...data,
      },
      time,
    );
    validCases.set(caseId, event.id);
    valid(event, at);
  };
  for (let i = 0; i < (options.validCases ?? 200); i++) {
    const profile = d.int(0, 5);
    report(
      `ok-case-${i}`,
      {
        severity: d.pick(SEVERITIES),
        ageYears: profile === 0 ? d.int(0, 17) + d.int(0, 11) / 12 : profile === 1 ? d.int(61, 95) : d.int(18, 60),
        ...(profile === 2 ? { sex: "female", pregnancyWeeks: d.int(4, 40) } : {}),
        ...(profile === 3 ? { conditions: [d.pick(CONDITIONS), d.pick(CONDITIONS)] } : {}),
        ...(profile === 4 ? { vitals: { spo2: d.int(85, 99), respiratoryRate: d.int(12, 35) } } : {}),
      },
      d.next(),
    );
  }
  for (let i = 0; i < 15; i++) {
    const facilityId = `ok-fac-${i}`;
    const kind = d.pick(["designated_hospital", "sub_designated_hospital", "fangcang"] as const);
    valid(
      validEvent(
        "facility.registered",
        {
          facilityId,
          name: `Extra ${i}`,
          kind,
          district: d.pick(OTHER_DISTRICTS),
          beds: kind === "fangcang" ? { shelter: d.int(10, 100) } : { general: d.int(10, 100) },
          capabilities: [d.pick(ALL_CAPABILITIES)],
        },
        d.time(),
      ),
      d.next(),
    );
    validFacilities.push(facilityId);
  }
  for (let i = 0; i < 20; i++) {
    const facilityId = d.pick(setupIds);
    const bedClass = facilityId.endsWith("fangcang") ? "shelter" : "general";
    const time = d.time();
    valid(
      validEvent("facility.beds-changed", { facilityId, at: time, bedClass, total: d.int(2_000, 3_000) }, time),
      d.next(),
    );
  }
  for (let i = 0; i < 10; i++) {
    const time = d.time();
    valid(
      validEvent("facility.status-changed", { facilityId: d.pick(setupIds), at: time, status: "open" }, time),
      d.next(),
    );
  }

  // Anchors: valid reports the state-dependent inputs refer to. A mild adult without risk
  // goes to a Fangcang shelter bed, of which setup registered plenty: it ends up "ordered".
  // Reports come first (0-0.25), withdrawals next (0.25-0.4); refusals of placed cases
  // follow the report (0.3-1), refusals of withdrawn cases follow the withdrawal (0.45-1).
  const ordered: string[] = [];
  const closed: string[] = [];
  const anchor = () => ({ ageYears: d.int(20, 50), severity: d.pick(["asymptomatic", "mild"] as const) });
  for (let i = 0; i < (options.orderedAnchors ?? 100); i++) {
    const caseId = `anchor-ordered-${i}`;
    report(caseId, anchor(), d.next() * 0.25);
    ordered.push(caseId);
  }
  for (let i = 0; i < (options.closedAnchors ?? 50); i++) {
    const caseId = `anchor-closed-${i}`;
    report(caseId, anchor(), d.next() * 0.25);
    const time = d.time();
    valid(
      validEvent("case.withdrawn", { caseId, at: time, reason: d.pick(["duplicate", "false_positive"]) }, time),
      0.25 + d.next() * 0.15,
    );
    closed.push(caseId);
  }
  for (let i = 0; i < (options.stateRefusals ?? 1_200); i++) {
    const toClosed = d.next() < 0.4;
    const caseId = d.pick(toClosed ? closed : ordered);
    const at = toClosed ? 0.45 + d.next() * 0.55 : 0.3 + d.next() * 0.7;
    const state = toClosed ? "closed" : "ordered";
    const marker = nextMarker();
    if (d.next() < 0.25) {
      const raw = wellFormed("case.reported", marker, caseId);
      bad(
        "duplicate case",
        `case.reported again for a ${state} case`,
        marker,
        raw,
        {
          code: "duplicate_case",
          state,
        },
        at,
      );
      continue;
    }
    const types = toClosed
      ? ([
          "case.withdrawn",
          "case.reclassified",
          "case.test-result",
          "patient.discharged",
          "transfer.admitted",
        ] as const)
      : (["patient.discharged", "transfer.admitted", "transfer.rejected"] as const);
    const type = d.pick(types);
    const raw = wellFormed(type, marker, caseId);
    bad("out of order", `${type} for a ${state} case`, marker, raw, { code: "not_accepted", state }, at);
  }

  // Oversized values: just over the limit, as JSON text and as bytes that are not UTF-8;
  // one exactly at the limit is decoded (and refused for its data), which pins the boundary.
  // Two are far over it, with raw values whose dead-letter form grows beyond the broker's
  // 1 MB message limit: base64 of bytes, and JSON escapes of control characters.
  const oversized = options.oversized ?? 20;
  for (let i = 0; i < oversized; i++) {
    const marker = nextMarker();
    const raw = wellFormed("facility.registered", marker);
    if (i === 1) {
      raw.value = Buffer.concat([Buffer.from([0xff]), d.bytes(799_999)]);
      bad("oversized", "800,000 random bytes (1.07 MB as base64)", marker, raw, { code: "too_large" });
      continue;
    }
    if (i === 2) {
      const controls = "\u0001".repeat(200_000);
      raw.value = JSON.stringify({ ...raw.data, name: "" }).replace('"name":""', `"name":"${controls}"`);
      bad("oversized", "200 KB of control characters (1.2 MB once escaped)", marker, raw, { code: "too_large" });
      continue;
    }
    const size = i === 0 ? DEFAULT_MAX_EVENT_BYTES : DEFAULT_MAX_EVENT_BYTES + 1 + d.int(0, 4_096);
    if (i % 4 === 3) {
      raw.value = Buffer.concat([Buffer.from([0xff]), d.bytes(size - 1)]);
      bad("oversized", `${size} random bytes`, marker, raw, { code: "too_large" });
      continue;
    }
    const padding = size - Buffer.byteLength(JSON.stringify({ ...raw.data, name: "" }));
    raw.value = JSON.stringify({ ...raw.data, name: long(padding) });
    if (i === 0) {
      bad("invalid data", `name of a value of exactly ${size} bytes`, marker, raw, {
        code: "invalid_data",
        path: "data.name",
      });
    } else {
      bad("oversized", `${size} bytes of JSON`, marker, raw, { code: "too_large" });
    }
  }

  // Everything else that needs no state, drawn in proportion to these weights.
  const families: [number, () => void][] = [
    [
      9,
      () => {
        const marker = nextMarker();
        const raw = wellFormed(d.pick(caseInputTypes), marker);
        const json = raw.value as string;
        const variants: [string, () => string | Buffer | null][] = [
          ["truncated", () => json.slice(0, d.int(0, json.length - 1))],
          ["garbage bytes", () => Buffer.concat([Buffer.from("<"), d.bytes(d.int(1, 200))])],
          [
            "invalid UTF-8 between tokens",
            () => Buffer.concat([Buffer.from(json.slice(0, 1)), Buffer.from([0xc3, 0x28]), Buffer.from(json.slice(1))]),
          ],
          ["UTF-16 encoded", () => Buffer.from(json, "utf16le")],
          ["Latin-1 garbage", () => Buffer.from([0xab, ...Buffer.from(json), 0xbb])],
          ["byte order mark", () => `\uFEFF${json}`],
          ["empty value", () => ""],
          ["tombstone (null value)", () => null],
          ["trailing garbage", () => `${json}}`],
          ["single quotes", () => json.replaceAll('"', "'")],
          ["NaN", () => `{"score":NaN,${json.slice(1)}`],
          ["trailing comma", () => json.replace(/}$/, ",}")],
          ["comment", () => `/* from the lab */ ${json}`],
          ["two documents", () => `${json}\n${json}`],
        ];
        const [variant, make] = d.pick(variants);
        raw.value = make();
        bad("broken JSON", variant, marker, raw, { code: "invalid_json" });
      },
    ],
    [
      28,
      () => {
        const marker = nextMarker();
        const f = d.pick(dataFaults);
        const raw = wellFormed(f.type, marker);
        const data = "whole" in f.change ? f.change.whole : withField(raw.data, f.change.path, f.change.value);
        raw.value = JSON.stringify(data);
        bad("invalid data", `${f.type}: ${f.variant}`, marker, raw, { code: "invalid_data", path: f.path });
      },
    ],
    [
      6,
      () => {
        const marker = nextMarker();
        const raw = wellFormed("case.reported", marker);
        const type = d.pick(unknownTypes);
        raw.headers.ce_type = type;
        bad("unknown type", JSON.stringify(type), marker, raw, { code: "unknown_type", path: "ce_type" });
      },
    ],
    [
      7,
      () => {
        const marker = nextMarker();
        const name = d.pick(requiredHeaders);
        // Without a ce_id, the key (and caseId) carries the marker.
        const raw = wellFormed("case.reported", marker, name === "ce_id" ? marker : undefined);
        delete raw.headers[name];
        bad("missing header", name, marker, raw, { code: "missing_header", path: name });
      },
    ],
    [
      8,
      () => {
        const marker = nextMarker();
        const [name, value] = d.pick(badHeaders);
        const raw = wellFormed("case.reported", marker, name === "ce_id" ? marker : undefined);
        raw.headers[name] = value;
        const shown =
          typeof value === "string" ? JSON.stringify(value.length > 20 ? `${value.slice(0, 8)}…` : value) : "bytes";
        bad("malformed header", `${name} ${shown}`, marker, raw, { code: "invalid_header", path: name });
      },
    ],
    [
      4,
      () => {
        const marker = nextMarker();
        const raw = wellFormed(d.pick(caseInputTypes), marker);
        const contentType = d.pick(badContentTypes);
        raw.headers["content-type"] = contentType;
        bad("content type", JSON.stringify(contentType), marker, raw, {
          code: "unsupported_content_type",
          path: "content-type",
        });
      },
    ],
    [
      6,
      () => {
        const marker = nextMarker();
        const type = d.pick([...caseInputTypes, ...facilityInputTypes]);
        const raw = wellFormed(type, marker);
        const id = String(raw.data[keyFieldOf(type)]);
        const variants: [string, string | Buffer | null][] = [
          ["another id", `${id}-other`],
          ["no key", null],
          ["empty key", ""],
          ["trailing space", `${id} `],
          ["upper case", id.toUpperCase()],
          ["bytes that are not UTF-8", Buffer.concat([Buffer.from(id), Buffer.from([0xff])])],
        ];
        const [variant, key] = d.pick(variants);
        raw.key = key;
        bad("key mismatch", `${type}: ${variant}`, marker, raw, { code: "key_mismatch", path: "key" });
      },
    ],
    [
      7,
      () => {
        const marker = nextMarker();
        const type = d.pick([...caseInputTypes, ...facilityInputTypes, ...outputTypes]);
        const raw = wellFormed(type, marker);
        const home = topicOf(type);
        raw.topic = outputTypes.includes(type as never)
          ? d.pick(["cases", "facilities"] as const)
          : home === "cases"
            ? "facilities"
            : "cases";
        bad("wrong topic", `${type} on ${raw.topic}`, marker, raw, { code: "wrong_topic", path: "ce_type" });
      },
    ],
    [
      6,
      () => {
        const marker = nextMarker();
        const type = d.pick(caseInputTypes.filter((t) => t !== "case.reported"));
        // The allocator's own internal events are refused from any other source first.
        const internal = type === "case.bed-offered" || type === "case.hold-expired";
        bad("unknown case", type, marker, wellFormed(type, marker, `ghost-${marker}`), {
          code: internal ? "forbidden_source" : "unknown_case",
        });
      },
    ],
    [
      3,
      () => {
        const marker = nextMarker();
        const type = d.pick(["facility.beds-changed", "facility.status-changed"] as const);
        bad("unknown facility", type, marker, wellFormed(type, marker, `ghost-${marker}`), {
          code: "unknown_facility",
        });
      },
    ],
    [
      2,
      () => {
        const marker = nextMarker();
        const raw = wellFormed("facility.registered", marker);
        const district = d.pick(unknownDistricts);
        raw.value = JSON.stringify({ ...raw.data, district });
        bad("unknown district", JSON.stringify(district), marker, raw, { code: "unknown_district" });
      },
    ],
  ];
  const total = families.reduce((sum, [weight]) => sum + weight, 0);
  for (let i = 0; i < (options.malformed ?? 9_400); i++) {
    let roll = d.next() * total;
    for (const [weight, make] of families) {
      roll -= weight;
      if (roll < 0) {
        make();
        break;
      }
    }
  }

  placed.sort((a, b) => a.at - b.at);
  return { setup, stream: placed.map((p) => p.item), malformed, validCases, validFacilities };
}
