// Turns a message nothing accepts into a dead letter that keeps all of the original, except
// the body of a value too large to carry, of which it keeps the beginning, size and hash.
import { createHash } from "node:crypto";
import type { InboundMessage, RawOutbound } from "@fangcang/bus";
import type { DeadLetter } from "@fangcang/contracts";

function text(value: Buffer | string): string {
  if (typeof value === "string") return value;
  const decoded = value.toString("utf8");
  return Buffer.from(decoded, "utf8").equals(value) ? decoded : `base64:${value.toString("base64")}`;
}

/**
 * The most of a value a dead letter carries: well under the broker's 1 MiB message limit
 * even after JSON escaping, which can grow text sixfold.
 */
export const MAX_DEAD_LETTER_VALUE_CHARS = 128 * 1024;
const KEPT_PREFIX_CHARS = 4096;

function valueOf(value: Buffer | null): Pick<DeadLetter, "value" | "valueTruncated" | "valueBytes" | "valueSha256"> {
  if (value === null) return { value: null };
  const rendered = text(value);
  if (rendered.length <= MAX_DEAD_LETTER_VALUE_CHARS) return { value: rendered };
  return {
    value: rendered.slice(0, KEPT_PREFIX_CHARS),
    valueTruncated: true,
    valueBytes: value.length,
    valueSha256: createHash("sha256").update(value).digest("hex"),
  };
}

export function deadLetterFor(
  message: InboundMessage,
  errors: DeadLetter["errors"],
  at: string,
  state?: string,
): RawOutbound {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.map(text).join(",") : text(value);
  }
  const letter: DeadLetter = {
    originalTopic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: message.key === null ? null : text(message.key),
    headers,
    ...valueOf(message.value),
    errors,
    ...(state === undefined ? {} : { state }),
    deadLetteredAt: at,
  };
  return {
    key: message.key,
    value: JSON.stringify(letter),
    headers: { "content-type": "application/json", dl_reason: errors[0]?.code ?? "unknown" },
  };
}
