-- place: hold the best fitting free bed for a case, or put it in its waiting queue.
-- KEYS[1] ledger sequence key
-- ARGV[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- ARGV[5] caseId
-- ARGV[6] transferId to use if a bed is held now
-- ARGV[7] queue name (the case's need, canonical)
-- ARGV[8] alternatives, in preference order: "kind.class,kind.class"
-- ARGV[9] required capabilities: "cap,cap" or ""
-- ARGV[10] waiting score (lower waits less: priority first, then waiting since)
-- ARGV[11] districts nearest first: "d1,d2,..."
-- ARGV[12] facilities to skip: "f1,f2" or ""
-- ARGV[13] the case's district
-- Returns JSON: {outcome="held"|"waitlisted"|"already_placed", seq, ..., offers, expired, nextDue}
local done = recorded()
if done then
  return done
end
local seq = nextSeq()
local result = placeCase(placementArgs())
result.seq = seq
return settle(result, {})
