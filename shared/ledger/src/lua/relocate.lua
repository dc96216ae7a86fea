-- relocate: a case gives up what it has (its freed bed is offered to the best waiting case
-- first) and is placed again, in one step: a rejected transfer, or a reclassification the
-- current bed or queue place no longer fits.
-- A[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- A[5..13] as for place.lua
-- Returns JSON: {seq, released = {state, ...} or absent, placed = {outcome, ...}, offers, expired, nextDue}
local done = recorded()
if done then
  return done
end
local seq = nextSeq()
local args = placementArgs()
local offers = {}
local released = releaseCase(args.caseId, offers)
local placed = placeCase(args)
return settle({ seq = seq, released = released, placed = placed }, offers)
