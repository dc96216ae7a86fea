-- resize: set a facility's capacity for one bed class. Raising it offers the new beds to
-- waiting cases; lowering it closes free beds only and never evicts (see shrinkToCapacity).
-- A[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- A[5] facilityId, A[6] bed class, A[7] new total
-- Returns JSON: {seq, offers, expired, nextDue} or {error = "unknown_facility"}
local done = recorded()
if done then
  return done
end
local fid, class, total = A[5], A[6], tonumber(A[7])
if redis.call("EXISTS", key("fac", fid)) == 0 then
  return cjson.encode({ error = "unknown_facility" })
end
local seq = nextSeq()
local offers = {}
local _, held, occ = counts(fid, class)
local target = total
if target < held + occ then
  target = held + occ
end
redis.call("HSET", key("fac", fid), "cap:" .. class, total, "total:" .. class, target)
refreshAvailability(fid, class)
offerFreeBeds(fid, class, offers)
return settle({ seq = seq }, offers)
