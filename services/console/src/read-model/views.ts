// What the API shows, computed from the read model on request. Pure functions of the
// model (and of the query); the API's zod schemas describe the shapes they return.
import type { FacilityKind } from "@fangcang/contracts";
import { shanghaiDistricts } from "@fangcang/placement";
import type { z } from "zod";
import type * as api from "../api/schemas.ts";
import { addDays, districtClearing, shanghaiDay } from "./district-clearing.ts";
import { type BedCount, bedClasses, bedCount, bedTotals, type CaseRecord, type ReadModel } from "./read-model.ts";

type Out<S extends z.ZodType> = z.output<S>;

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function facilitiesView(model: ReadModel): Out<typeof api.FacilityList> {
  const ids = [...new Set([...model.facilities.keys(), ...model.usage.keys()])].sort();
  return { asOf: iso(model.clock), items: ids.map((id) => facilityView(model, id)) };
}

export function facilityView(model: ReadModel, facilityId: string): Out<typeof api.Facility> {
  const record = model.facilities.get(facilityId);
  const beds: Partial<Record<(typeof bedClasses)[number], BedCount>> = {};
  for (const bedClass of bedClasses) {
    const count = bedCount(model, facilityId, bedClass);
    if (count.total > 0 || record?.capacity[bedClass] !== undefined) beds[bedClass] = count;
  }
  return {
    facilityId,
    name: record?.name ?? null,
    kind: record?.kind ?? null,
    district: record?.district ?? null,
    status: record?.status ?? "open",
    capabilities: record?.capabilities ?? [],
    beds,
    registeredAt: record?.registeredAt ?? null,
    updatedAt: record?.updatedAt ?? null,
  };
}

function byUrgency(a: CaseRecord, b: CaseRecord): number {
  return (
    (b.priority ?? 0) - (a.priority ?? 0) ||
    (a.waitingSince ?? "").localeCompare(b.waitingSince ?? "") ||
    (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0)
  );
}

const queueCache = new WeakMap<ReadModel, { version: number; order: CaseRecord[] }>();

/** The waiting cases in the ledger's order; sorted once per model version. */
function queueOrder(model: ReadModel): CaseRecord[] {
  const cached = queueCache.get(model);
  if (cached?.version === model.version) return cached.order;
  const order = [...model.waiting].map((id) => model.cases.get(id) as CaseRecord).sort(byUrgency);
  queueCache.set(model, { version: model.version, order });
  return order;
}

export function waitingByPriority(model: ReadModel): Out<typeof api.PriorityCount>[] {
  return [...model.waitingByPriority]
    .map(([priority, count]) => ({ priority, count }))
    .sort((a, b) => b.priority - a.priority);
}

export function queueView(model: ReadModel, offset: number, limit: number): Out<typeof api.Queue> {
  const items = queueOrder(model)
    .slice(offset, offset + limit)
    .map((c) => ({
      caseId: c.caseId,
      priority: c.priority ?? 0,
      route: c.route ?? null,
      reasons: c.reasons ?? [],
      district: c.district ?? null,
      waitingSince: c.waitingSince ?? null,
    }));
  return { total: model.waiting.size, byPriority: waitingByPriority(model), offset, items };
}

function isOverdue(model: ReadModel, holdExpiresAt: string): boolean {
  return model.clock !== undefined && Date.parse(holdExpiresAt) < model.clock;
}

export function overdueCount(model: ReadModel): number {
  let overdue = 0;
  for (const id of model.inFlight) {
    const transfer = model.cases.get(id)?.transfer;
    if (transfer !== undefined && isOverdue(model, transfer.holdExpiresAt)) overdue++;
  }
  return overdue;
}

export function transfersView(
  model: ReadModel,
  query: { offset: number; limit: number; overdue?: "true" | "false" | undefined },
): Out<typeof api.Transfers> {
  const all = [...model.inFlight].flatMap((caseId) => {
    const c = model.cases.get(caseId);
    if (c?.transfer === undefined) return [];
    const t = c.transfer;
    return [
      {
        transferId: t.transferId,
        caseId,
        facilityId: t.facilityId,
        bedClass: t.bedClass,
        route: t.route,
        priority: c.priority ?? null,
        orderedAt: t.orderedAt,
        holdExpiresAt: t.holdExpiresAt,
        overdue: isOverdue(model, t.holdExpiresAt),
      },
    ];
  });
  const wanted = query.overdue === undefined ? all : all.filter((t) => t.overdue === (query.overdue === "true"));
  wanted.sort((a, b) => a.holdExpiresAt.localeCompare(b.holdExpiresAt) || a.caseId.localeCompare(b.caseId));
  return {
    asOf: iso(model.clock),
    total: wanted.length,
    overdue: all.filter((t) => t.overdue).length,
    offset: query.offset,
    items: wanted.slice(query.offset, query.offset + query.limit),
  };
}

export function caseView(model: ReadModel, caseId: string): Out<typeof api.CaseDetail> | undefined {
  const c = model.cases.get(caseId);
  if (c === undefined) return undefined;
  return {
    caseId,
    status: c.status,
    district: c.district ?? null,
    detectedIn: c.detectedIn ?? null,
    severity: c.severity ?? null,
    reportedAt: c.reportedAt ?? null,
    priority: c.priority ?? null,
    route: c.route ?? null,
    reasons: c.reasons ?? [],
    policyVersion: c.policyVersion ?? null,
    facilityId: c.transfer?.facilityId ?? null,
    transferId: c.transfer?.transferId ?? null,
    closedReason: c.closedReason ?? null,
    history: c.history,
  };
}

export function escalationsView(model: ReadModel, offset: number, limit: number): Out<typeof api.Escalations> {
  const newestFirst = [...model.escalations].reverse();
  return { total: newestFirst.length, offset, items: newestFirst.slice(offset, offset + limit) };
}

/** The window ends on `day` if given, else on the last complete day before the latest event. */
export function districtsView(model: ReadModel, day?: string): Out<typeof api.Districts> {
  const today = model.clock === undefined ? null : shanghaiDay(model.clock);
  const lastDay = day ?? (today === null ? null : addDays(today, -1));
  const known = new Set(shanghaiDistricts.map((d) => d.name));
  let otherDistrictCases = 0;
  for (const [district, byDay] of model.communityCases) {
    if (!known.has(district)) for (const n of byDay.values()) otherDistrictCases += n;
  }
  const districts = shanghaiDistricts.map((d) => {
    const byDay = model.communityCases.get(d.name);
    const clearing =
      lastDay === null
        ? { status: "insufficient_data" as const, counts: [], ratesPer100k: [] }
        : districtClearing(byDay, d.population, lastDay, model.dataSince);
    return {
      district: d.name,
      nameZh: d.nameZh,
      population: d.population,
      ...clearing,
      today: today === null ? 0 : (byDay?.get(today) ?? 0),
    };
  });
  return {
    asOf: iso(model.clock),
    window: lastDay === null ? [] : [addDays(lastDay, -2), addDays(lastDay, -1), lastDay],
    today,
    dataSince: model.dataSince ?? null,
    otherDistrictCases,
    districts,
  };
}

export function overviewView(model: ReadModel, ready: boolean): Out<typeof api.Overview> {
  const byKind = new Map<string, Out<typeof api.Overview>["bedsByKind"][number]>();
  for (const facilityId of new Set([...model.facilities.keys(), ...model.usage.keys()])) {
    const kind: FacilityKind | undefined = model.facilities.get(facilityId)?.kind;
    if (kind === undefined) continue;
    for (const bedClass of bedClasses) {
      const beds = bedCount(model, facilityId, bedClass);
      if (beds.total === 0 && beds.capacity === 0) continue;
      const key = `${kind}/${bedClass}`;
      const sum = byKind.get(key) ?? { kind, bedClass, capacity: 0, total: 0, free: 0, held: 0, occupied: 0 };
      for (const field of ["capacity", "total", "free", "held", "occupied"] as const) sum[field] += beds[field];
      byKind.set(key, sum);
    }
  }
  const beds = bedTotals(model);
  const series = model.series.points.map((p) => ({ ...p, t: new Date(p.t).toISOString() }));
  if (model.clock !== undefined) {
    // The open bucket, as it stands now.
    const { total, occupied, held } = beds;
    series.push({ t: iso(model.clock) as string, total, occupied, held, waiting: model.waiting.size });
  }
  return {
    asOf: iso(model.clock),
    ready,
    beds: { total: beds.total, free: beds.free, held: beds.held, occupied: beds.occupied },
    bedsByKind: [...byKind.values()],
    waiting: model.waiting.size,
    waitingByPriority: waitingByPriority(model),
    inFlight: model.inFlight.size,
    overdue: overdueCount(model),
    escalations: model.escalations.length,
    cases: model.cases.size,
    facilities: model.facilities.size,
    series,
  };
}
