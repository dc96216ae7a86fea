// Operator actions become the contract's facility events: who acted is in `data.actor`,
// when in the CloudEvent `time`, the console in `source`. Pure: the id and the time are
// given, so the same request gives the same event in a test.
import { type AnyCloudEvent, cloudEvent } from "@fangcang/contracts";
import type { z } from "zod";
import type { Principal } from "../auth/auth.ts";
import type { ChangeBeds, ChangeStatus, RegisterFacility } from "./schemas.ts";

export interface ActionContext {
  principal: Principal;
  id: string;
  source: string;
  time: string;
}

export type OperatorAction =
  | { type: "facility.registered"; body: z.output<typeof RegisterFacility> }
  | { type: "facility.beds-changed"; facilityId: string; body: z.output<typeof ChangeBeds> }
  | { type: "facility.status-changed"; facilityId: string; body: z.output<typeof ChangeStatus> };

export function facilityEventFor(action: OperatorAction, context: ActionContext): AnyCloudEvent {
  const actor = { subject: context.principal.subject, role: context.principal.role };
  const { id, source, time } = context;
  if (action.type === "facility.registered") {
    const subject = action.body.facilityId;
    return cloudEvent(action.type, { id, source, time, subject }, { ...action.body, actor }) as AnyCloudEvent;
  }
  // A change's `at` is when the operator made it, as its CloudEvent `time`.
  const change = { facilityId: action.facilityId, at: time, actor };
  const meta = { id, source, time, subject: action.facilityId };
  return cloudEvent(action.type, meta, { ...change, ...action.body }) as AnyCloudEvent;
}
