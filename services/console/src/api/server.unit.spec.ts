// The HTTP API: who may do what, what a bad request is told, and which facility event an
// operator action produces. The read model is filled by applying events; produced events
// are collected instead of sent (the Kafka edge is covered by tests/console.e2e.spec.ts).
import { type AnyCloudEvent, cloudEvent, fromKafkaMessage, toKafkaMessage } from "@fangcang/contracts";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signJwt } from "../auth/auth.ts";
import { ConsoleMetrics } from "../metrics.ts";
import { apply, emptyModel } from "../read-model/read-model.ts";
import { openApiDocument } from "./openapi.ts";
import { buildServer } from "./server.ts";

const SECRET = "server-spec-secret-0123456789abcdef";
const tokens = {
  viewer: "viewer-token-0123456789",
  operator: "operator-token-0123456789",
  admin: "admin-token-0123456789",
};
const model = emptyModel();
const produced: AnyCloudEvent[] = [];
let ready = true;
let app: FastifyInstance;

const as = (role: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[role]}` });
const post = (url: string, role: keyof typeof tokens, payload?: object) =>
  app.inject({ method: "POST", url, headers: as(role), ...(payload === undefined ? {} : { payload }) });

beforeAll(async () => {
  apply(
    model,
    cloudEvent(
      "facility.registered",
      { id: "f-1", source: "ops", time: "2022-04-10T08:00:00+08:00" },
      {
        facilityId: "FC-1",
        name: "Fangcang 1",
        kind: "fangcang",
        district: "Xuhui",
        beds: { shelter: 10 },
        capabilities: [],
      },
    ),
  );
  app = await buildServer({
    model,
    metrics: new ConsoleMetrics(),
    isReady: () => ready,
    readiness: () => ({ backlog: 0 }),
    publish: async (event) => {
      produced.push(event);
    },
    auth: {
      tokens: [
        { subject: "wang", role: "viewer", token: tokens.viewer },
        { subject: "li", role: "operator", token: tokens.operator },
        { subject: "zhao", role: "admin", token: tokens.admin },
      ],
      jwt: { secret: SECRET, leewaySeconds: 30 },
    },
    source: "fangcang/console",
    now: () => new Date("2026-11-23T23:00:00.000Z"),
    newId: () => `action-${produced.length + 1}`,
    streamIntervalMs: 50,
  });
});

afterAll(() => app.close());

describe("authentication and roles", () => {
  it("no token: 401 with a Bearer challenge", async () => {
    const response = await app.inject({ method: "GET", url: "/api/facilities" });
    expect(response.statusCode).toBe(401);
    expect(response.headers["www-authenticate"]).toContain("Bearer");
    expect(response.json().error).toContain("Authorization");
  });

  it("a viewer reads", async () => {
    const response = await app.inject({ method: "GET", url: "/api/facilities", headers: as("viewer") });
    expect(response.statusCode).toBe(200);
    expect(response.json().items[0]).toMatchObject({ facilityId: "FC-1", beds: { shelter: { free: 10 } } });
  });

  it("a viewer cannot act: 403, and nothing is produced", async () => {
    const before = produced.length;
    const response = await post("/api/facilities/FC-1/status", "viewer", { status: "paused" });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toContain("needs the operator role");
    expect(produced.length).toBe(before);
  });

  it("an operator cannot register a facility (admin only)", async () => {
    const response = await post("/api/facilities", "operator", {
      facilityId: "FC-2",
      name: "x",
      kind: "fangcang",
      district: "Xuhui",
      beds: {},
    });
    expect(response.statusCode).toBe(403);
  });

  it("a JWT with roles acts as its subject", async () => {
    const jwt = signJwt(
      { sub: "sso|chen", roles: ["operator"], exp: Date.parse("2026-11-24T00:00:00Z") / 1000 },
      SECRET,
    );
    const response = await app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${jwt}` } });
    expect(response.json()).toEqual({ subject: "sso|chen", role: "operator" });
  });

  it("health, readiness, metrics, the OpenAPI document and the page need no token", async () => {
    for (const url of ["/healthz", "/readyz", "/metrics", "/openapi.json", "/", "/assets/app.js"]) {
      expect((await app.inject({ method: "GET", url })).statusCode, url).toBe(200);
    }
  });
});

describe("operator actions", () => {
  it("changing beds produces facility.beds-changed with who and when", async () => {
    const response = await post("/api/facilities/FC-1/beds", "operator", { bedClass: "shelter", total: 40 });
    expect(response.statusCode).toBe(202);
    const event = produced.at(-1) as AnyCloudEvent;
    expect(event).toMatchObject({
      type: "facility.beds-changed",
      source: "fangcang/console",
      time: "2026-11-23T23:00:00.000Z",
      subject: "FC-1",
      data: {
        facilityId: "FC-1",
        at: "2026-11-23T23:00:00.000Z",
        bedClass: "shelter",
        total: 40,
        actor: { subject: "li", role: "operator" },
      },
    });
    expect(response.json()).toMatchObject({ eventId: event.id, actor: { subject: "li", role: "operator" } });
    // It is a contract event: it survives the Kafka codec with its actor.
    const decoded = fromKafkaMessage(toKafkaMessage(event), { topic: "facilities" });
    expect(decoded.ok && decoded.event.data).toEqual(event.data);
  });

  it("pause, close and reopen produce facility.status-changed", async () => {
    for (const status of ["paused", "closed", "open"]) {
      const response = await post("/api/facilities/FC-1/status", "admin", { status });
      expect(response.statusCode).toBe(202);
      expect(produced.at(-1)).toMatchObject({ type: "facility.status-changed", data: { status } });
    }
  });

  it("an admin registers a facility: facility.registered", async () => {
    const response = await post("/api/facilities", "admin", {
      facilityId: "DH-7",
      name: "Designated 7",
      kind: "designated_hospital",
      district: "Pudong",
      beds: { general: 30, icu: 4 },
      capabilities: ["icu"],
    });
    expect(response.statusCode).toBe(202);
    expect(produced.at(-1)).toMatchObject({
      type: "facility.registered",
      data: { facilityId: "DH-7", beds: { general: 30, icu: 4 }, actor: { subject: "zhao", role: "admin" } },
    });
  });

  it("registering a facility the console knows already is 409", async () => {
    const response = await post("/api/facilities", "admin", {
      facilityId: "FC-1",
      name: "again",
      kind: "fangcang",
      district: "Xuhui",
      beds: {},
    });
    expect(response.statusCode).toBe(409);
  });

  it("acting on an unknown facility is 404", async () => {
    const response = await post("/api/facilities/NOPE/status", "operator", { status: "paused" });
    expect(response.statusCode).toBe(404);
  });

  it("while the read model is catching up, actions wait: 503", async () => {
    ready = false;
    try {
      const response = await post("/api/facilities/FC-1/status", "operator", { status: "paused" });
      expect(response.statusCode).toBe(503);
      expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(503);
    } finally {
      ready = true;
    }
  });
});

describe("validation", () => {
  it("a bad body is 400 listing every problem with its path", async () => {
    const response = await post("/api/facilities", "admin", {
      facilityId: "has space",
      kind: "tent",
      district: "Atlantis",
      beds: { shelter: -1, attic: 3 },
      extra: 1,
    });
    expect(response.statusCode).toBe(400);
    const body = response.json() as { error: string; problems: { path: string; message: string }[] };
    const paths = body.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "body.facilityId",
        "body.name",
        "body.kind",
        "body.district",
        "body.beds.shelter",
        "body.beds",
        "body",
      ]),
    );
    expect(body.error).toMatch(/^invalid request: body\./);
  });

  it("a missing body or malformed JSON is 400", async () => {
    const missing = await post("/api/facilities/FC-1/beds", "operator");
    expect(missing.statusCode).toBe(400);
    const malformed = await app.inject({
      method: "POST",
      url: "/api/facilities/FC-1/beds",
      headers: { ...as("operator"), "content-type": "application/json" },
      payload: "{ total: ",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error).toMatch(/JSON/);
  });

  it("bad paging is 400; a bad path id is 400", async () => {
    expect(
      (await app.inject({ method: "GET", url: "/api/queue?limit=0", headers: as("viewer") })).json(),
    ).toMatchObject({
      problems: [{ path: "query.limit" }],
    });
    const badId = await app.inject({ method: "GET", url: "/api/cases/a%20b", headers: as("viewer") });
    expect(badId.statusCode).toBe(400);
  });

  it("unknown routes and cases are 404", async () => {
    expect((await app.inject({ method: "GET", url: "/api/nothing", headers: as("viewer") })).statusCode).toBe(404);
    expect((await app.inject({ method: "GET", url: "/api/cases/nobody", headers: as("viewer") })).statusCode).toBe(404);
  });
});

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and lists every operation the server answers", async () => {
    const served = (await app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(served).toEqual(openApiDocument());
    expect(served.openapi).toBe("3.1.0");
    expect(Object.keys(served.paths)).toEqual(
      expect.arrayContaining(["/api/facilities/{facilityId}/beds", "/api/districts", "/metrics", "/readyz"]),
    );
  });
});

describe("live updates", () => {
  it("streams the overview as server-sent events, again when the model changes, and lets go of a closed stream", async () => {
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const abort = new AbortController();
    const response = await fetch(`${address}/api/stream`, { headers: as("viewer"), signal: abort.signal });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    const nextOverview = async () => {
      let text = "";
      while (!text.includes("\n\n")) text += (await reader.read()).value ?? "";
      expect(text).toMatch(/^event: overview\ndata: /);
      return JSON.parse(text.slice(text.indexOf("data: ") + 6, text.indexOf("\n\n"))) as { cases: number };
    };
    expect((await nextOverview()).cases).toBe(0);
    apply(
      model,
      cloudEvent(
        "case.reported",
        { id: "r-stream", source: "lab", time: "2022-04-10T09:00:00+08:00" },
        {
          caseId: "streamed",
          reportedAt: "2022-04-10T09:00:00+08:00",
          district: "Xuhui",
          ageYears: 3,
          sex: "male",
          severity: "mild",
          detectedIn: "community",
        },
      ),
    );
    expect((await nextOverview()).cases).toBe(1);
    const clients = async () =>
      (await app.inject({ method: "GET", url: "/metrics" })).body.match(/fangcang_console_sse_clients (\d+)/)?.[1];
    expect(await clients()).toBe("1");
    abort.abort();
    await expect.poll(clients).toBe("0");
  });
});

describe("metrics", () => {
  it("exposes beds and requests in the Prometheus text format", async () => {
    const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
    expect(text).toContain("# TYPE fangcang_console_beds gauge");
    expect(text).toMatch(
      /fangcang_console_beds\{facility="FC-1",kind="fangcang",bed_class="shelter",state="free"\} 10/,
    );
    expect(text).toMatch(
      /fangcang_console_http_requests_total\{method="GET",route="\/api\/facilities",status="200"\} \d+/,
    );
  });
});
