// Assembles the ledger's one Lua script: common.lua, then each operation's file as a function
// in OPS, then batch.lua, which runs a list of operations in order. It is registered with
// ioredis under a name carrying a hash of its source, so deployments of different versions
// can share one Redis without calling each other's script. ioredis runs it by EVALSHA and
// falls back to EVAL when Redis does not know the script yet.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";

export const operationNames = [
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
export type OperationName = (typeof operationNames)[number];

function luaSource(file: string): string {
  return readFileSync(new URL(`./lua/${file}`, import.meta.url), "utf8");
}

function assembleScript(): string {
  // An operation's file is the body of its function: its `return`s end the operation.
  const operations = operationNames.map((name) => `OPS["${name}"] = function()\n${luaSource(`${name}.lua`)}\nend`);
  return [luaSource("common.lua"), "local OPS = {}", ...operations, luaSource("batch.lua")].join("\n");
}

const lua = assembleScript();
const command = `fangcang_ledger_${createHash("sha1").update(lua).digest("hex").slice(0, 8)}`;

/** One operation of a batch: its name and its arguments after the key prefix. */
export interface OperationCall {
  name: OperationName;
  args: (string | number)[];
}

/** Runs operations in order in one script call; one JSON result per operation. */
export type BatchRunner = (seqKey: string, prefix: string, calls: OperationCall[]) => Promise<string[]>;

/** Registers the script on a client (once per client) and returns its caller. */
export function ledgerScript(redis: Redis): BatchRunner {
  if (!(command in redis)) redis.defineCommand(command, { numberOfKeys: 1, lua });
  const fn = (redis as unknown as Record<string, (...args: (string | number)[]) => Promise<string[]>>)[command] as (
    ...args: (string | number)[]
  ) => Promise<string[]>;
  return (seqKey, prefix, calls) => {
    const argv: (string | number)[] = [seqKey, prefix];
    for (const call of calls) argv.push(call.name, call.args.length, ...call.args);
    return fn.call(redis, ...argv);
  };
}
