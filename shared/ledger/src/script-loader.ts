// Loads the ledger's Lua scripts: common.lua is prepended to each, and each is registered
// with ioredis under a name carrying a hash of its source, so deployments of different
// versions can share one Redis without calling each other's scripts. ioredis runs them
// by EVALSHA and falls back to EVAL when Redis does not know the script yet.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";

const scriptNames = [
  "registerFacility",
  "resize",
  "setStatus",
  "place",
  "admit",
  "release",
  "relocate",
  "confirmOffer",
  "expireHolds",
] as const;
export type ScriptName = (typeof scriptNames)[number];

function luaSource(file: string): string {
  return readFileSync(new URL(`./lua/${file}`, import.meta.url), "utf8");
}

interface LoadedScript {
  command: string;
  numberOfKeys: number;
  lua: string;
}

function loadScripts(): Record<ScriptName, LoadedScript> {
  const common = luaSource("common.lua");
  const entries = scriptNames.map((name): [ScriptName, LoadedScript] => {
    // The key count is part of the file name, as in `place-1.lua`.
    const lua = `${common}\n${luaSource(`${name}-1.lua`)}`;
    const version = createHash("sha1").update(lua).digest("hex").slice(0, 8);
    return [name, { command: `fangcang_${name}_${version}`, numberOfKeys: 1, lua }];
  });
  return Object.fromEntries(entries) as Record<ScriptName, LoadedScript>;
}

const scripts = loadScripts();

type ScriptCaller = (...args: (string | number)[]) => Promise<string>;

/** Registers the scripts on a client (once per client) and returns callers by name. */
export function ledgerScripts(redis: Redis): Record<ScriptName, ScriptCaller> {
  const callers = {} as Record<ScriptName, ScriptCaller>;
  for (const name of scriptNames) {
    const { command, numberOfKeys, lua } = scripts[name];
    if (!(command in redis)) redis.defineCommand(command, { numberOfKeys, lua });
    const fn = (redis as unknown as Record<string, ScriptCaller>)[command] as ScriptCaller;
    callers[name] = (...args) => fn.call(redis, ...args);
  }
  return callers;
}
