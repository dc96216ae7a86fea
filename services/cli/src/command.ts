// What every `fangcang` subcommand does with its arguments: --help prints the usage, a
// mistake prints what was wrong and the usage (exit code 2), anything else runs.
import { parseArgs } from "node:util";
import { UsageError } from "./usage-error.ts";

export async function runCommand<A>(
  name: string,
  usage: string,
  argv: string[],
  parse: (argv: string[]) => A,
  run: (args: A) => Promise<number>,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return 0;
  }
  let args: A;
  try {
    args = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`fangcang ${name}: ${error.message}\n\n${usage}`);
    return 2;
  }
  return run(args);
}

export type OptionValues = Record<string, string | boolean | undefined>;

/** Strict `--name value` / `--flag` parsing; any unknown or malformed option is a UsageError. */
export function parseOptions(argv: string[], options: Record<string, { type: "string" | "boolean" }>): OptionValues {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values as OptionValues;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
