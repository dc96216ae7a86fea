-- registerFacility: create a facility, or update one registered before (its kind, district
-- and capabilities are replaced; its status is kept). Free beds are offered to waiting cases.
-- A[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- A[5] facilityId, A[6] kind, A[7] district, A[8] capabilities "cap,cap" or ""
-- A[9] beds: "class=total,class=total"
-- Returns JSON: {seq, offers, expired, nextDue}
local done = recorded()
if done then
  return done
end
local fid, kind, district, caps, beds = A[5], A[6], A[7], A[8], A[9]
local facilityKey = key("fac", fid)
if redis.call("EXISTS", facilityKey) == 1 then
  local oldKind, oldDistrict = facilityMeta(fid)
  for _, class in ipairs(BED_CLASSES) do
    redis.call("SREM", key("avail", oldKind, class), fid)
    redis.call("SREM", key("avail", oldKind, class, oldDistrict), fid)
  end
else
  redis.call("HSET", facilityKey, "status", "open")
  redis.call("SADD", key("facilities"), fid)
end
redis.call("HSET", facilityKey, "kind", kind, "district", district, "caps", "," .. caps .. ",")
local seq = nextSeq()
local offers = {}
for pair in string.gmatch(beds, "[^,]+") do
  local class, total = string.match(pair, "^([^=]+)=(%d+)$")
  redis.call("HSET", facilityKey, "cap:" .. class, total)
  local _, held, occ = counts(fid, class)
  local target = tonumber(total)
  if target < held + occ then
    target = held + occ
  end
  redis.call("HSET", facilityKey, "total:" .. class, target)
end
for _, class in ipairs(BED_CLASSES) do
  refreshAvailability(fid, class)
  offerFreeBeds(fid, class, offers)
end
return settle({ seq = seq }, offers)
