-- expireHolds: only what every operation ends with (see settle in common.lua), for an input
-- that has no other effect on the ledger.
-- A[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- Returns JSON: {seq, offers, expired = [{caseId, transferId, facilityId, bedClass}], nextDue}
local done = recorded()
if done then
  return done
end
return settle({ seq = nextSeq() }, {})
