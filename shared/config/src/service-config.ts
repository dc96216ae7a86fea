// A service's whole configuration: its own variables and the connection security, read
// together so that every problem in the environment is reported at once.
import type { z } from "zod";
import { ConfigError, loadEnv } from "./env.ts";
import { type SecurityConfig, SecurityEnv } from "./security.ts";

export function loadServiceConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> & { security: SecurityConfig } {
  const problems: string[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const base = attempt(() => loadEnv(schema, env));
  const security = attempt(() => loadEnv(SecurityEnv, env));
  if (base === undefined || security === undefined) throw new ConfigError(problems);
  return { ...base, security };
}
