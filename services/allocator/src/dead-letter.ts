// Turns a message nothing accepts into a dead letter that keeps all of the original.
import type { InboundMessage, RawOutbound } from "@fangcang/bus";
import type { DeadLetter } from "@fangcang/contracts";

function text(value: Buffer | string): string {
  if (typeof value === "string") return value;
  const decoded = value.toString("utf8");
  return Buffer.from(decoded, "utf8").equals(value) ? decoded : `base64:${value.toString("base64")}`;
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
    value: message.value === null ? null : text(message.value),
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
