// Who is asking, and may they: bearer tokens from the configuration, or HS256 JWTs with
// OIDC-style claims (`sub`, `role` or `roles`, `exp`), verified with node:crypto. Roles are
// ordered: a viewer reads, an operator also changes beds and facility status, an admin also
// registers facilities.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Role } from "../api/schemas.ts";

export const roleRank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export interface Principal {
  subject: string;
  role: Role;
}

export interface StaticToken extends Principal {
  token: string;
}

export interface JwtSettings {
  secret: string;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Allowed clock difference with the issuer. */
  leewaySeconds: number;
}

export interface AuthSettings {
  tokens: StaticToken[];
  jwt?: JwtSettings | undefined;
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; status: 401 | 403; error: string };

export function mayAct(principal: Principal, needed: Role): boolean {
  return roleRank[principal.role] >= roleRank[needed];
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/** Compares digests, so the time taken says nothing about how much of a token matched. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export function authenticate(
  authorization: string | undefined,
  settings: AuthSettings,
  nowSeconds: number,
): AuthResult {
  if (authorization === undefined || authorization === "") {
    return { ok: false, status: 401, error: "missing Authorization header: send 'Authorization: Bearer <token>'" };
  }
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (match === null) return { ok: false, status: 401, error: "the Authorization header must be 'Bearer <token>'" };
  const presented = match[1] as string;
  let found: StaticToken | undefined;
  for (const candidate of settings.tokens) {
    // Every configured token is compared, found or not.
    if (sameSecret(candidate.token, presented)) found ??= candidate;
  }
  if (found !== undefined) return { ok: true, principal: { subject: found.subject, role: found.role } };
  if (settings.jwt !== undefined && presented.split(".").length === 3) {
    return verifyJwt(presented, settings.jwt, nowSeconds);
  }
  return { ok: false, status: 401, error: "unknown or invalid token" };
}

function base64url(data: string): Buffer | undefined {
  return /^[A-Za-z0-9_-]*$/.test(data) ? Buffer.from(data, "base64url") : undefined;
}

function parseJson(data: Buffer | undefined): Record<string, unknown> | undefined {
  if (data === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(data.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const invalid = (error: string): AuthResult => ({ ok: false, status: 401, error: `invalid token: ${error}` });

export function verifyJwt(token: string, settings: JwtSettings, nowSeconds: number): AuthResult {
  const [headerPart = "", payloadPart = "", signaturePart = ""] = token.split(".");
  const header = parseJson(base64url(headerPart));
  if (header === undefined) return invalid("the header is not base64url JSON");
  // Only HS256: a token naming another algorithm ("none", RS256 with our secret as a key) is refused.
  if (header.alg !== "HS256") return invalid(`algorithm ${String(header.alg)} is not accepted (HS256 only)`);
  const signature = base64url(signaturePart);
  const expected = createHmac("sha256", settings.secret).update(`${headerPart}.${payloadPart}`).digest();
  if (signature === undefined || signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    return invalid("bad signature");
  }
  const claims = parseJson(base64url(payloadPart));
  if (claims === undefined) return invalid("the payload is not base64url JSON");
  const { sub, exp, nbf, iss, aud } = claims;
  if (typeof sub !== "string" || sub === "") return invalid("no sub claim");
  if (typeof exp !== "number") return invalid("no exp claim");
  if (nowSeconds > exp + settings.leewaySeconds) return invalid("expired");
  if (typeof nbf === "number" && nowSeconds + settings.leewaySeconds < nbf) return invalid("not valid yet");
  if (settings.issuer !== undefined && iss !== settings.issuer) return invalid(`issuer is not ${settings.issuer}`);
  if (settings.audience !== undefined) {
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(settings.audience)) return invalid(`audience does not include ${settings.audience}`);
  }
  const role = highestRole(claims.role, claims.roles);
  if (role === undefined) {
    return { ok: false, status: 403, error: "the token carries no console role (viewer, operator or admin)" };
  }
  return { ok: true, principal: { subject: sub, role } };
}

/** `role` (a string) and/or `roles` (an array of strings); unknown roles are ignored. */
function highestRole(role: unknown, roles: unknown): Role | undefined {
  const named = [role, ...(Array.isArray(roles) ? roles : [])].filter(
    (r): r is Role => typeof r === "string" && Object.hasOwn(roleRank, r),
  );
  return named.sort((a, b) => roleRank[b] - roleRank[a])[0];
}

/** Signs an HS256 JWT: for tests and for operators minting short-lived tokens. */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
  const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
