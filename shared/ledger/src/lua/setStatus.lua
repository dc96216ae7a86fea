-- setStatus: open, pause or close a facility. Paused and closed facilities get no new holds
-- (existing holds and patients stay); opening offers its free beds to waiting cases.
-- A[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- A[5] facilityId, A[6] status "open"|"paused"|"closed"
-- Returns JSON: {seq, offers, expired, nextDue} or {error = "unknown_facility"}
local done = recorded()
if done then
  return done
end
local fid, status = A[5], A[6]
if redis.call("EXISTS", key("fac", fid)) == 0 then
  return cjson.encode({ error = "unknown_facility" })
end
local seq = nextSeq()
local offers = {}
redis.call("HSET", key("fac", fid), "status", status)
for _, class in ipairs(BED_CLASSES) do
  refreshAvailability(fid, class)
  offerFreeBeds(fid, class, offers)
end
return settle({ seq = seq }, offers)
