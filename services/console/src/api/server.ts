// The console's HTTP server (Fastify): the operations of api-spec.ts with their handlers,
// bearer authentication and roles, zod validation with every problem listed, live updates
// over server-sent events, the web console's static files, metrics and health.
import { readFileSync } from "node:fs";
import type { AnyCloudEvent } from "@fangcang/contracts";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { z } from "zod";
import { type AuthSettings, authenticate, mayAct, type Principal } from "../auth/auth.ts";
import { ConsoleMetrics, renderMetrics } from "../metrics.ts";
import type { ReadModel } from "../read-model/read-model.ts";
import {
  caseView,
  districtsView,
  escalationsView,
  facilitiesView,
  facilityView,
  overviewView,
  queueView,
  transfersView,
} from "../read-model/views.ts";
import { type OperationId, type OperationSpec, operations } from "./api-spec.ts";
import { openApiDocument } from "./openapi.ts";
import { facilityEventFor, type OperatorAction } from "./operator-actions.ts";

export interface ConsoleServerDeps {
  model: ReadModel;
  /** The read model has caught up with the log as it was at start. */
  isReady(): boolean;
  readiness(): Record<string, unknown>;
  /** Produces an operator's facility event; resolves once the broker has it. */
  publish(event: AnyCloudEvent): Promise<void>;
  auth: AuthSettings;
  source: string;
  metrics: ConsoleMetrics;
  now?: () => Date;
  newId?: () => string;
  /** How often live streams look for a changed model. */
  streamIntervalMs?: number;
}

interface Input {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  principal: Principal | undefined;
}

interface Answer {
  status: number;
  body: unknown;
}

type JsonOperation = Exclude<OperationId, "metrics" | "stream">;
type Handler = (input: Input) => Answer | Promise<Answer>;

const notFound = (what: string): Answer => ({ status: 404, body: { error: what } });

const webFiles: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "i18n.js": "text/javascript; charset=utf-8",
  "chart.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

const pageHeaders = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

function problemsOf(where: string, error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
}

export async function buildServer(deps: ConsoleServerDeps): Promise<FastifyInstance> {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? (() => crypto.randomUUID());
  const { model, metrics } = deps;
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  const web = new Map(
    Object.keys(webFiles).map((name) => [name, readFileSync(new URL(`../../web/${name}`, import.meta.url))]),
  );
  const openApi = JSON.stringify(openApiDocument());

  async function act(action: OperatorAction, principal: Principal): Promise<Answer> {
    if (!deps.isReady()) {
      return { status: 503, body: { error: "the console is still reading the log; try again when /readyz is ok" } };
    }
    const event = facilityEventFor(action, { principal, id: newId(), source: deps.source, time: now().toISOString() });
    await deps.publish(event);
    ConsoleMetrics.bump(metrics.operatorActions, event.type);
    return {
      status: 202,
      body: { eventId: event.id, type: event.type, time: event.time, source: event.source, actor: principal },
    };
  }

  const registered = (facilityId: string) => model.facilities.get(facilityId)?.registeredAt !== undefined;
  const unknownFacility = (facilityId: string) =>
    notFound(`no facility ${facilityId} is registered (a registration just made may take a moment to show)`);

  const handlers: Record<JsonOperation, Handler> = {
    healthz: () => ({ status: 200, body: { status: "ok" } }),
    readyz: () => {
      const ready = deps.isReady();
      return { status: ready ? 200 : 503, body: { status: ready ? "ok" : "unavailable", ...deps.readiness() } };
    },
    me: ({ principal }) => ({ status: 200, body: principal }),
    overview: () => ({ status: 200, body: overviewView(model, deps.isReady()) }),
    listFacilities: () => ({ status: 200, body: facilitiesView(model) }),
    getFacility: ({ params }) => {
      const id = params.facilityId as string;
      return model.facilities.has(id) || model.usage.has(id)
        ? { status: 200, body: facilityView(model, id) }
        : notFound(`no facility ${id}`);
    },
    queue: ({ query }) => ({ status: 200, body: queueView(model, query.offset as number, query.limit as number) }),
    transfers: ({ query }) => ({
      status: 200,
      body: transfersView(model, query as { offset: number; limit: number; overdue?: "true" | "false" }),
    }),
    getCase: ({ params }) => {
      const view = caseView(model, params.caseId as string);
      return view === undefined ? notFound(`no case ${String(params.caseId)}`) : { status: 200, body: view };
    },
    escalations: ({ query }) => ({
      status: 200,
      body: escalationsView(model, query.offset as number, query.limit as number),
    }),
    districts: ({ query }) => ({ status: 200, body: districtsView(model, query.day as string | undefined) }),
    registerFacility: ({ body, principal }) => {
      const registration = body as Extract<OperatorAction, { type: "facility.registered" }>["body"];
      if (registered(registration.facilityId)) {
        return {
          status: 409,
          body: { error: `facility ${registration.facilityId} is registered already: change its beds or status` },
        };
      }
      return act({ type: "facility.registered", body: registration }, principal as Principal);
    },
    changeBeds: ({ params, body, principal }) => {
      const facilityId = params.facilityId as string;
      if (!registered(facilityId)) return unknownFacility(facilityId);
      const change = body as Extract<OperatorAction, { type: "facility.beds-changed" }>["body"];
      return act({ type: "facility.beds-changed", facilityId, body: change }, principal as Principal);
    },
    changeStatus: ({ params, body, principal }) => {
      const facilityId = params.facilityId as string;
      if (!registered(facilityId)) return unknownFacility(facilityId);
      const change = body as Extract<OperatorAction, { type: "facility.status-changed" }>["body"];
      return act({ type: "facility.status-changed", facilityId, body: change }, principal as Principal);
    },
  };

  /** Authenticates and authorizes; answers 401/403 itself and returns undefined then. */
  function admit(request: FastifyRequest, reply: FastifyReply, spec: OperationSpec): Principal | undefined | false {
    if (spec.role === "public") return undefined;
    const result = authenticate(request.headers.authorization, deps.auth, now().getTime() / 1000);
    if (!result.ok) {
      if (result.status === 401) reply.header("www-authenticate", 'Bearer realm="fangcang-console"');
      reply.code(result.status).send({ error: result.error });
      return false;
    }
    if (!mayAct(result.principal, spec.role)) {
      reply.code(403).send({
        error: `${spec.method} ${spec.path} needs the ${spec.role} role; ${result.principal.subject} is ${result.principal.role}`,
      });
      return false;
    }
    return result.principal;
  }

  function validate(
    request: FastifyRequest,
    spec: OperationSpec,
  ): Input | { problems: { path: string; message: string }[] } {
    const problems: { path: string; message: string }[] = [];
    const parse = (where: string, schema: z.ZodType | undefined, value: unknown) => {
      if (schema === undefined) return value;
      const result = schema.safeParse(value ?? (where === "body" ? undefined : {}));
      if (result.success) return result.data;
      problems.push(...problemsOf(where, result.error));
      return undefined;
    };
    const params = parse("params", spec.params, request.params) as Record<string, unknown>;
    const query = parse("query", spec.query, request.query) as Record<string, unknown>;
    const body = parse("body", spec.body, request.body);
    if (problems.length > 0) return { problems };
    return { params: params ?? {}, query: query ?? {}, body, principal: undefined };
  }

  const fastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

  for (const [id, spec] of Object.entries(operations) as [OperationId, OperationSpec][]) {
    if (id === "metrics" || id === "stream") continue;
    const handler = handlers[id];
    app.route({
      method: spec.method,
      url: fastifyPath(spec.path),
      handler: async (request, reply) => {
        const principal = admit(request, reply, spec);
        if (principal === false) return reply;
        const input = validate(request, spec);
        if ("problems" in input) {
          const list = input.problems.map((p) => `${p.path}: ${p.message}`).join("; ");
          return reply.code(400).send({ error: `invalid request: ${list}`, problems: input.problems });
        }
        const answer = await handler({ ...input, principal });
        return reply.code(answer.status).send(answer.body);
      },
    });
  }

  app.get("/metrics", async (_request, reply) =>
    reply
      .header("content-type", "text/plain; version=0.0.4; charset=utf-8")
      .send(renderMetrics(model, metrics, deps.isReady())),
  );

  // ---- live updates -------------------------------------------------------------------
  const streams = new Set<FastifyReply["raw"]>();
  let overviewCache = { version: -1, ready: false, json: "" };
  const overviewJson = () => {
    const ready = deps.isReady();
    if (overviewCache.version !== model.version || overviewCache.ready !== ready) {
      overviewCache = { version: model.version, ready, json: JSON.stringify(overviewView(model, ready)) };
    }
    return overviewCache.json;
  };
  app.get("/api/stream", async (request, reply) => {
    const principal = admit(request, reply, operations.stream);
    if (principal === false) return reply;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    streams.add(raw);
    metrics.sseClients = streams.size;
    let sent = "";
    const push = () => {
      const json = overviewJson();
      if (json === sent) return;
      sent = json;
      raw.write(`event: overview\ndata: ${json}\n\n`);
    };
    push();
    const updates = setInterval(push, deps.streamIntervalMs ?? 1_000);
    const keepAlive = setInterval(() => raw.write(": keep-alive\n\n"), 15_000);
    request.raw.on("close", () => {
      clearInterval(updates);
      clearInterval(keepAlive);
      streams.delete(raw);
      metrics.sseClients = streams.size;
    });
  });
  app.addHook("preClose", async () => {
    for (const raw of streams) raw.end();
  });

  // ---- web console and API document --------------------------------------------------
  const sendWeb = (reply: FastifyReply, name: string) =>
    reply
      .headers(pageHeaders)
      .header("content-type", webFiles[name] as string)
      .send(web.get(name));
  app.get("/", async (_request, reply) => sendWeb(reply, "index.html"));
  app.get<{ Params: { name: string } }>("/assets/:name", async (request, reply) => {
    const name = request.params.name;
    return web.has(name) && name !== "index.html"
      ? sendWeb(reply, name)
      : reply.code(404).send({ error: "no such file" });
  });
  app.get("/openapi.json", async (_request, reply) => reply.header("content-type", "application/json").send(openApi));

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}; see /openapi.json` });
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    reply.code(status).send({ error: status === 500 ? `internal error: ${error.message}` : error.message });
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    ConsoleMetrics.bump(metrics.httpRequests, `${request.method}|${route}|${reply.statusCode}`);
  });
  return app;
}
