// Identities derived from inputs, never random: replaying an input yields the same ledger
// operation id, the same transfer id and the same decision ids, so every effect is applied
// once and every re-emitted output can be recognised as a duplicate downstream.
import { hash } from "node:crypto";

/** One-shot `hash`: the same digest as createHash().update().digest(), without the Hash object. */
function sha1(text: string): string {
  return hash("sha1", text, "hex");
}

/**
 * The ledger operation id of an input: consumers deduplicate on (source, id), and the key
 * (case or facility) is part of it, so a producer that reuses an event id for another case
 * cannot make one case's effect stand for another's.
 */
export function opIdOf(event: { source: string; id: string }, key: string): string {
  return `op-${sha1(`${event.source}\n${event.id}\n${key}`).slice(0, 24)}`;
}

/** The same rule as transferIdFor in the ledger's common.lua. */
export function transferIdFor(opId: string, caseId: string): string {
  return `tr-${sha1(`${opId}|${caseId}`).slice(0, 20)}`;
}

/** The n-th decision caused by one ledger operation; also the output event's CloudEvent id. */
export function decisionIdFor(opId: string, caseId: string, n: number): string {
  return `dec-${sha1(`${opId}|${caseId}|${n}`).slice(0, 20)}`;
}
