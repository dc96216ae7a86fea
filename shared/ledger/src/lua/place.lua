-- place: hold the best fitting free bed for a case, or put it in its waiting queue.
-- A[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- A[5] caseId
-- A[6] transferId to use if a bed is held now
-- A[7] queue name (the case's need, canonical)
-- A[8] alternatives, in preference order: "kind.class,kind.class"
-- A[9] required capabilities: "cap,cap" or ""
-- A[10] waiting score (lower waits less: priority first, then waiting since)
-- A[11] districts nearest first: "d1,d2,..."
-- A[12] facilities to skip: "f1,f2" or ""
-- A[13] the case's district
-- Returns JSON: {outcome="held"|"waitlisted"|"already_placed", seq, ..., offers, expired, nextDue}
local done = recorded()
if done then
  return done
end
local seq = nextSeq()
local result = placeCase(placementArgs())
result.seq = seq
return settle(result, {})
