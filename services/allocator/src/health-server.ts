// Liveness and readiness over HTTP, for supervisors and load balancers.
import { createServer, type Server } from "node:http";

export interface HealthSource {
  live(): boolean;
  ready(): boolean;
  details(): Record<string, unknown>;
}

export function startHealthServer(port: number, source: HealthSource): Promise<Server> {
  const server = createServer((request, response) => {
    const path = request.url ?? "/";
    const ok = path === "/healthz" ? source.live() : path === "/readyz" ? source.ready() : null;
    if (ok === null) {
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    response
      .writeHead(ok ? 200 : 503, { "content-type": "application/json" })
      .end(JSON.stringify({ status: ok ? "ok" : "unavailable", ...source.details() }));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
