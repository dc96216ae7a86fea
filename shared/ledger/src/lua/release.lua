-- release: a case gives up whatever it has (a held bed, an occupied bed or a queue place),
-- and a freed bed is offered at once to the best waiting case that fits it.
-- A[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- A[5] caseId
-- Returns JSON: {seq, released = {state, ...} or absent, offers, expired, nextDue}
local done = recorded()
if done then
  return done
end
local seq = nextSeq()
local offers = {}
local released = releaseCase(A[5], offers)
return settle({ seq = seq, released = released }, offers)
