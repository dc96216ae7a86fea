// The console's environment, validated once at start (see README "Console").
import { CommonEnv, loadServiceConfig, Port, type SecurityConfig } from "@fangcang/config";
import { z } from "zod";
import { Role } from "./api/schemas.ts";
import type { AuthSettings, StaticToken } from "./auth/auth.ts";

const MIN_TOKEN_LENGTH = 16;

/** "subject:role:token,…" — the token is everything after the second colon. */
const Tokens = z
  .string()
  .default("")
  .transform((value, ctx): StaticToken[] => {
    const tokens: StaticToken[] = [];
    for (const [index, entry] of value
      .split(",")
      .map((e) => e.trim())
      .filter((e) => e !== "")
      .entries()) {
      const [subject = "", role = "", ...rest] = entry.split(":");
      const token = rest.join(":");
      const parsedRole = Role.safeParse(role);
      if (!/^[A-Za-z0-9._@-]+$/.test(subject) || !parsedRole.success || token.length < MIN_TOKEN_LENGTH) {
        ctx.addIssue({
          code: "custom",
          message: `entry ${index + 1} must be subject:role:token with role viewer, operator or admin and a token of ${MIN_TOKEN_LENGTH}+ characters`,
        });
        continue;
      }
      tokens.push({ subject, role: parsedRole.data, token });
    }
    return tokens;
  });

export const ConsoleEnv = CommonEnv.omit({ REDIS_URL: true, FANGCANG_REDIS_NAMESPACE: true })
  .extend({
    FANGCANG_CONSOLE_PORT: Port.default(8080),
    FANGCANG_CONSOLE_HOST: z.string().min(1).default("127.0.0.1"),
    /** CloudEvents source of the operator actions the console produces. */
    FANGCANG_CONSOLE_SOURCE: z.string().min(1).default("fangcang/console"),
    FANGCANG_CONSOLE_TOKENS: Tokens,
    /** Enables HS256 JWTs signed with this secret. */
    FANGCANG_CONSOLE_JWT_SECRET: z.string().min(32, "at least 32 characters").optional(),
    FANGCANG_CONSOLE_JWT_ISSUER: z.string().min(1).optional(),
    FANGCANG_CONSOLE_JWT_AUDIENCE: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.FANGCANG_CONSOLE_TOKENS.length === 0 && env.FANGCANG_CONSOLE_JWT_SECRET === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["FANGCANG_CONSOLE_TOKENS"],
        message:
          "set FANGCANG_CONSOLE_TOKENS and/or FANGCANG_CONSOLE_JWT_SECRET: the console admits no one without them",
      });
    }
  });

export type ConsoleConfig = z.infer<typeof ConsoleEnv> & { security: SecurityConfig };

export function loadConsoleConfig(env: NodeJS.ProcessEnv = process.env): ConsoleConfig {
  return loadServiceConfig(ConsoleEnv, env);
}

export function authSettings(config: ConsoleConfig): AuthSettings {
  const secret = config.FANGCANG_CONSOLE_JWT_SECRET;
  return {
    tokens: config.FANGCANG_CONSOLE_TOKENS,
    jwt:
      secret === undefined
        ? undefined
        : {
            secret,
            issuer: config.FANGCANG_CONSOLE_JWT_ISSUER,
            audience: config.FANGCANG_CONSOLE_JWT_AUDIENCE,
            leewaySeconds: 30,
          },
  };
}
