// The closed vocabularies of the public contract (../../../../shared/CONTRACT.md).
// Values are fixed: add, never rename.
import { z } from "zod";

export const Severity = z.enum(["asymptomatic", "mild", "moderate", "severe", "critical"]);
export type Severity = z.infer<typeof Severity>;

export const Sex = z.enum(["female", "male", "unknown"]);
export type Sex = z.infer<typeof Sex>;

export const DetectedIn = z.enum(["quarantine", "community"]);
export type DetectedIn = z.infer<typeof DetectedIn>;

export const Condition = z.enum([
  "hypertension",
  "diabetes",
  "cardiovascular",
  "cerebrovascular",
  "chronic_lung",
  "chronic_liver",
  "chronic_kidney",
  "cancer",
  "immunodeficiency",
  "obesity",
  "heavy_smoker",
  "dialysis",
]);
export type Condition = z.infer<typeof Condition>;

export const FacilityKind = z.enum(["designated_hospital", "sub_designated_hospital", "fangcang"]);
export type FacilityKind = z.infer<typeof FacilityKind>;

/** A transfer's route is the kind of facility it goes to. */
export const Route = FacilityKind;
export type Route = FacilityKind;

export const BedClass = z.enum(["general", "icu", "shelter"]);
export type BedClass = z.infer<typeof BedClass>;

export const Capability = z.enum(["icu", "obstetrics", "pediatrics", "dialysis", "geriatrics"]);
export type Capability = z.infer<typeof Capability>;

export const FacilityStatus = z.enum(["open", "paused", "closed"]);
export type FacilityStatus = z.infer<typeof FacilityStatus>;

export const WithdrawalReason = z.enum(["duplicate", "false_positive", "deceased", "left_jurisdiction"]);
export type WithdrawalReason = z.infer<typeof WithdrawalReason>;

export const DischargeOutcome = z.enum(["recovered", "transferred_out", "deceased"]);
export type DischargeOutcome = z.infer<typeof DischargeOutcome>;

/** RFC 3339 time with an explicit offset ("Z" or "+08:00"). */
export const Time = z.iso.datetime({ offset: true });

/** Identifiers: non-empty, bounded, printable, no whitespace (they become Kafka keys and Redis key parts). */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, "ids use letters, digits and . _ : @ - only");
