/** A mistake in a command's arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
