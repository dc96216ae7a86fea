// Authentication: configured bearer tokens and HS256 JWTs with OIDC-style claims.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadConsoleConfig } from "../config.ts";
import { type AuthSettings, authenticate, mayAct, signJwt } from "./auth.ts";

const SECRET = "a-test-secret-that-is-long-enough-0123456789";
const NOW = 1_700_000_000;
const settings: AuthSettings = {
  tokens: [
    { subject: "wang", role: "viewer", token: "viewer-token-0123456789" },
    { subject: "li", role: "operator", token: "operator-token-0123456789" },
  ],
  jwt: { secret: SECRET, issuer: "https://sso.example", audience: "fangcang-console", leewaySeconds: 30 },
};
const claims = { sub: "zhang", role: "admin", exp: NOW + 600, iss: "https://sso.example", aud: "fangcang-console" };
const bearer = (token: string) => `Bearer ${token}`;

describe("bearer tokens from the configuration", () => {
  it("a configured token names its subject and role", () => {
    expect(authenticate(bearer("operator-token-0123456789"), settings, NOW)).toEqual({
      ok: true,
      principal: { subject: "li", role: "operator" },
    });
  });

  it("no header, another scheme or an unknown token is 401", () => {
    expect(authenticate(undefined, settings, NOW)).toMatchObject({ ok: false, status: 401 });
    expect(authenticate("Basic bGk6cGFzcw==", settings, NOW)).toMatchObject({ ok: false, status: 401 });
    expect(authenticate(bearer("operator-token-012345678"), settings, NOW)).toMatchObject({ ok: false, status: 401 });
  });
});

describe("HS256 JWTs", () => {
  it("a valid token gives its sub and role", () => {
    expect(authenticate(bearer(signJwt(claims, SECRET)), settings, NOW)).toEqual({
      ok: true,
      principal: { subject: "zhang", role: "admin" },
    });
  });

  it("`roles` (an array, as many identity providers send) counts, highest known role wins", () => {
    const token = signJwt({ ...claims, role: undefined, roles: ["auditor", "viewer", "operator"] }, SECRET);
    expect(authenticate(bearer(token), settings, NOW)).toMatchObject({ principal: { role: "operator" } });
  });

  it("a token without a console role is 403, not 401", () => {
    const token = signJwt({ ...claims, role: "auditor" }, SECRET);
    expect(authenticate(bearer(token), settings, NOW)).toMatchObject({ ok: false, status: 403 });
  });

  it.each([
    ["another secret", signJwt(claims, `${SECRET}x`), "bad signature"],
    ["expired beyond the leeway", signJwt({ ...claims, exp: NOW - 31 }, SECRET), "expired"],
    ["not valid yet", signJwt({ ...claims, nbf: NOW + 60 }, SECRET), "not valid yet"],
    ["no exp", signJwt({ ...claims, exp: undefined }, SECRET), "no exp"],
    ["no sub", signJwt({ ...claims, sub: undefined }, SECRET), "no sub"],
    ["another issuer", signJwt({ ...claims, iss: "https://evil.example" }, SECRET), "issuer"],
    ["another audience", signJwt({ ...claims, aud: ["other"] }, SECRET), "audience"],
  ])("%s: 401", (_, token, reason) => {
    const result = authenticate(bearer(token), settings, NOW);
    expect(result).toMatchObject({ ok: false, status: 401 });
    expect(result.ok === false && result.error).toContain(reason);
  });

  it("within the leeway an expired token still passes (clock skew)", () => {
    expect(authenticate(bearer(signJwt({ ...claims, exp: NOW - 29 }, SECRET)), settings, NOW).ok).toBe(true);
  });

  it('alg "none" and other algorithms are refused even with a valid-looking signature', () => {
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${payload}.`;
    expect(authenticate(bearer(none), settings, NOW)).toMatchObject({ ok: false, status: 401 });
    const header = Buffer.from('{"alg":"HS512"}').toString("base64url");
    const signature = createHmac("sha512", SECRET).update(`${header}.${payload}`).digest("base64url");
    expect(authenticate(bearer(`${header}.${payload}.${signature}`), settings, NOW)).toMatchObject({ ok: false });
  });

  it("without a JWT secret configured, JWTs are unknown tokens", () => {
    const result = authenticate(bearer(signJwt(claims, SECRET)), { tokens: settings.tokens }, NOW);
    expect(result).toMatchObject({ ok: false, status: 401, error: "unknown or invalid token" });
  });
});

describe("roles", () => {
  it("viewer < operator < admin", () => {
    expect(mayAct({ subject: "a", role: "viewer" }, "operator")).toBe(false);
    expect(mayAct({ subject: "a", role: "operator" }, "operator")).toBe(true);
    expect(mayAct({ subject: "a", role: "operator" }, "admin")).toBe(false);
    expect(mayAct({ subject: "a", role: "admin" }, "viewer")).toBe(true);
  });
});

describe("configuration", () => {
  it("reads subject:role:token entries; a token may contain colons", () => {
    const config = loadConsoleConfig({
      FANGCANG_CONSOLE_TOKENS: "li:operator:abc:def:0123456789abcdef, wang:viewer:0123456789abcdef",
    });
    expect(config.FANGCANG_CONSOLE_TOKENS).toEqual([
      { subject: "li", role: "operator", token: "abc:def:0123456789abcdef" },
      { subject: "wang", role: "viewer", token: "0123456789abcdef" },
    ]);
  });

  it("refuses a bad role, a short token, or no way to sign in at all, naming each problem", () => {
    expect(() => loadConsoleConfig({ FANGCANG_CONSOLE_TOKENS: "li:root:0123456789abcdef" })).toThrow(/entry 1/);
    expect(() => loadConsoleConfig({ FANGCANG_CONSOLE_TOKENS: "li:viewer:short" })).toThrow(/16\+ characters/);
    expect(() => loadConsoleConfig({})).toThrow(/FANGCANG_CONSOLE_TOKENS and\/or FANGCANG_CONSOLE_JWT_SECRET/);
    expect(() => loadConsoleConfig({ FANGCANG_CONSOLE_JWT_SECRET: "too-short" })).toThrow(/at least 32/);
  });
});
