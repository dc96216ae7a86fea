// Connection security for Kafka (SASL/SCRAM, TLS) and Redis (password or ACL user, TLS),
// from the environment. Validated as a whole, so a half-configured secret fails at start.
import { readFileSync } from "node:fs";
import { z } from "zod";

const flag = z
  .enum(["true", "false", "1", "0", ""])
  .default("false")
  .transform((value) => value === "true" || value === "1");

export const SecurityEnv = z
  .object({
    /** SASL mechanism for Kafka; unset means no SASL. */
    KAFKA_SASL_MECHANISM: z.enum(["scram-sha-256", "scram-sha-512", "plain"]).optional(),
    KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    /** TLS to the brokers. */
    KAFKA_TLS: flag,
    /** PEM file of the CA that signed the brokers' certificates (else the system CAs). */
    KAFKA_TLS_CA_FILE: z.string().min(1).optional(),
    /** PEM file of the CA that signed Redis's certificate, for rediss:// URLs. */
    REDIS_TLS_CA_FILE: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.KAFKA_SASL_MECHANISM !== undefined) {
      for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const) {
        if (env[name] === undefined) {
          ctx.addIssue({ code: "custom", path: [name], message: `required when KAFKA_SASL_MECHANISM is set` });
        }
      }
      if (env.KAFKA_SASL_MECHANISM === "plain" && !env.KAFKA_TLS) {
        ctx.addIssue({
          code: "custom",
          path: ["KAFKA_TLS"],
          message: "SASL PLAIN sends the password in clear: set KAFKA_TLS=true",
        });
      }
    }
    if (env.KAFKA_TLS_CA_FILE !== undefined && !env.KAFKA_TLS) {
      ctx.addIssue({ code: "custom", path: ["KAFKA_TLS_CA_FILE"], message: "set KAFKA_TLS=true to use a CA file" });
    }
  });
export type SecurityConfig = z.infer<typeof SecurityEnv>;

export interface KafkaSecurity {
  ssl?: boolean | { ca: string[] };
  sasl?: { mechanism: "scram-sha-256" | "scram-sha-512" | "plain"; username: string; password: string };
}

function readPem(path: string, name: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`${name}: cannot read ${path}: ${(error as Error).message}`);
  }
}

export function kafkaSecurity(config: SecurityConfig): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (config.KAFKA_TLS) {
    security.ssl = config.KAFKA_TLS_CA_FILE ? { ca: [readPem(config.KAFKA_TLS_CA_FILE, "KAFKA_TLS_CA_FILE")] } : true;
  }
  if (config.KAFKA_SASL_MECHANISM && config.KAFKA_SASL_USERNAME && config.KAFKA_SASL_PASSWORD) {
    security.sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM,
      username: config.KAFKA_SASL_USERNAME,
      password: config.KAFKA_SASL_PASSWORD,
    };
  }
  return security;
}

/** ioredis options beyond the URL (which carries user, password and rediss:// for TLS). */
export function redisTls(config: SecurityConfig, redisUrl: string): { tls?: { ca: string } } {
  if (!redisUrl.startsWith("rediss://")) return {};
  return { tls: config.REDIS_TLS_CA_FILE ? { ca: readPem(config.REDIS_TLS_CA_FILE, "REDIS_TLS_CA_FILE") } : {} } as {
    tls?: { ca: string };
  };
}

/** A URL safe to log: the password replaced. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
