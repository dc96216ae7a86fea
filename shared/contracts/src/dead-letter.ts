// A dead letter keeps everything needed to inspect, fix and replay the original message.
import { z } from "zod";

export const DeadLetterError = z.object({
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
});

export const DeadLetter = z.object({
  originalTopic: z.string(),
  partition: z.number().int(),
  offset: z.string(),
  key: z.string().nullable(),
  /** Header values as UTF-8 text; binary headers are base64 with a "base64:" prefix. */
  headers: z.record(z.string(), z.string()),
  /**
   * The raw value: UTF-8 text when it decodes cleanly, else base64 with a "base64:" prefix.
   * A value too large to carry keeps only its beginning, with its size and hash below.
   */
  value: z.string().nullable(),
  /** Set when `value` holds only the beginning of the original. */
  valueTruncated: z.boolean().optional(),
  /** The original value's size in bytes, when truncated. */
  valueBytes: z.number().int().min(0).optional(),
  /** SHA-256 (hex) of the original value's bytes, when truncated. */
  valueSha256: z.string().optional(),
  errors: z.array(DeadLetterError).min(1),
  /** The patient-machine state that refused the event, when a state refused it. */
  state: z.string().optional(),
  deadLetteredAt: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;
