// Every HTTP operation of the console in one table: the server registers routes from it
// and the OpenAPI document is generated from it.
import { z } from "zod";
import * as s from "./schemas.ts";

export interface OperationSpec {
  method: "GET" | "POST";
  /** OpenAPI style: `/api/facilities/{facilityId}`. */
  path: string;
  summary: string;
  tag: "read" | "act" | "operations";
  /** The least role that may call it; "public" needs no token. */
  role: s.Role | "public";
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  status: 200 | 202;
  /** JSON unless given. */
  produces?: "text/plain" | "text/event-stream";
  response: z.ZodType;
  /** Non-default error answers worth documenting. */
  errors?: Partial<Record<400 | 404 | 409 | 503, string>>;
}

export const operations = {
  healthz: {
    method: "GET",
    path: "/healthz",
    summary: "Liveness: the process answers.",
    tag: "operations",
    role: "public",
    status: 200,
    response: s.Health,
  },
  readyz: {
    method: "GET",
    path: "/readyz",
    summary: "Readiness: the read model has caught up with the log as it was at start.",
    tag: "operations",
    role: "public",
    status: 200,
    response: s.Health,
    errors: { 503: "Still reading the log, or the consumer has stopped." },
  },
  metrics: {
    method: "GET",
    path: "/metrics",
    summary: "Prometheus metrics (text exposition format 0.0.4).",
    tag: "operations",
    role: "public",
    status: 200,
    produces: "text/plain",
    response: z.string(),
  },
  me: {
    method: "GET",
    path: "/api/me",
    summary: "Who the token belongs to, and its role.",
    tag: "read",
    role: "viewer",
    status: 200,
    response: s.Me,
  },
  overview: {
    method: "GET",
    path: "/api/overview",
    summary: "Totals, beds by facility kind, queue by priority, and occupancy and queue length over time.",
    tag: "read",
    role: "viewer",
    status: 200,
    response: s.Overview,
  },
  stream: {
    method: "GET",
    path: "/api/stream",
    summary: "Server-sent events: an `overview` event (the Overview as JSON) whenever the read model changes.",
    tag: "read",
    role: "viewer",
    status: 200,
    produces: "text/event-stream",
    response: z.string(),
  },
  listFacilities: {
    method: "GET",
    path: "/api/facilities",
    summary: "Every facility with its beds by class: capacity, total, free, held, occupied.",
    tag: "read",
    role: "viewer",
    status: 200,
    response: s.FacilityList,
  },
  getFacility: {
    method: "GET",
    path: "/api/facilities/{facilityId}",
    summary: "One facility with its beds by class.",
    tag: "read",
    role: "viewer",
    params: s.FacilityIdParams,
    status: 200,
    response: s.Facility,
    errors: { 404: "No such facility." },
  },
  queue: {
    method: "GET",
    path: "/api/queue",
    summary: "The waiting queue in the ledger's order (priority, then waiting since), paged.",
    tag: "read",
    role: "viewer",
    query: s.Paging,
    status: 200,
    response: s.Queue,
  },
  transfers: {
    method: "GET",
    path: "/api/transfers",
    summary: "Transfers in flight (ordered, not admitted), with overdue holds marked, paged.",
    tag: "read",
    role: "viewer",
    query: s.TransfersQuery,
    status: 200,
    response: s.Transfers,
  },
  getCase: {
    method: "GET",
    path: "/api/cases/{caseId}",
    summary: "One case: its state and full history, every decision with its reasons and policy version.",
    tag: "read",
    role: "viewer",
    params: s.CaseIdParams,
    status: 200,
    response: s.CaseDetail,
    errors: { 404: "No such case." },
  },
  escalations: {
    method: "GET",
    path: "/api/escalations",
    summary: "Escalations (a case worsened beyond what its facility treats), newest first, paged.",
    tag: "read",
    role: "viewer",
    query: s.Paging,
    status: 200,
    response: s.Escalations,
  },
  districts: {
    method: "GET",
    path: "/api/districts",
    summary: "Clearing status of the 16 districts: community cases per 100,000 over three consecutive days.",
    tag: "read",
    role: "viewer",
    query: s.DistrictsQuery,
    status: 200,
    response: s.Districts,
  },
  registerFacility: {
    method: "POST",
    path: "/api/facilities",
    summary: "Register a facility: produces facility.registered.",
    tag: "act",
    role: "admin",
    body: s.RegisterFacility,
    status: 202,
    response: s.Accepted,
    errors: { 400: "The body is invalid; `problems` lists each problem.", 409: "The facility is registered already." },
  },
  changeBeds: {
    method: "POST",
    path: "/api/facilities/{facilityId}/beds",
    summary: "Set a bed class's total: produces facility.beds-changed. Lowering never evicts.",
    tag: "act",
    role: "operator",
    params: s.FacilityIdParams,
    body: s.ChangeBeds,
    status: 202,
    response: s.Accepted,
    errors: { 400: "The body is invalid; `problems` lists each problem.", 404: "No such facility." },
  },
  changeStatus: {
    method: "POST",
    path: "/api/facilities/{facilityId}/status",
    summary: "Open, pause or close a facility: produces facility.status-changed.",
    tag: "act",
    role: "operator",
    params: s.FacilityIdParams,
    body: s.ChangeStatus,
    status: 202,
    response: s.Accepted,
    errors: { 400: "The body is invalid; `problems` lists each problem.", 404: "No such facility." },
  },
} as const satisfies Record<string, OperationSpec>;

export type OperationId = keyof typeof operations;
