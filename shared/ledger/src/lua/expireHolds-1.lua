-- expireHolds: holds not admitted by the event time are released; their cases go back to
-- their queue at their original place, the freed beds are offered to the best waiting
-- cases that fit, and an expired case still waiting takes any other fitting free bed.
-- KEYS[1] ledger sequence key
-- ARGV[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- ARGV[5] the most holds to expire in one call
-- Returns JSON: {seq, expired = [{caseId, transferId, facilityId, bedClass}], offers = [...],
--               nextDue = the earliest remaining expiry (ms), absent when none}
local done = recorded()
if done then
  return done
end
local due = redis.call("ZRANGEBYSCORE", key("holds"), "-inf", AT, "LIMIT", 0, tonumber(ARGV[5]))
local function nextDue()
  local first = redis.call("ZRANGE", key("holds"), 0, 0, "WITHSCORES")
  if first[2] then
    return tonumber(first[2])
  end
  return nil
end
if #due == 0 then
  -- Nothing changed, so nothing to record: a repeat of this op id finds the same answer.
  return cjson.encode({ seq = num(redis.call("GET", KEYS[1])), expired = {}, offers = {}, nextDue = nextDue() })
end
local seq = nextSeq()
local expired, offers, freed = {}, {}, {}
for _, caseId in ipairs(due) do
  local v = redis.call("HMGET", key("case", caseId), "facilityId", "bedClass", "transferId", "queue", "score")
  local fid, class, transferId, queue, score = v[1], v[2], v[3], v[4], v[5]
  redis.call("ZREM", key("holds"), caseId)
  redis.call("HINCRBY", key("fac", fid), "held:" .. class, -1)
  redis.call("HDEL", key("case", caseId), "facilityId", "bedClass", "transferId", "holdExpiresAt")
  redis.call("HSET", key("case", caseId), "state", "waiting")
  redis.call("ZADD", key("queue", queue), score, caseId)
  redis.call("SADD", key("queues"), queue)
  table.insert(expired, { caseId = caseId, transferId = transferId, facilityId = fid, bedClass = class })
  freed[fid .. "\n" .. class] = { fid, class }
end
for _, bed in pairs(freed) do
  shrinkToCapacity(bed[1], bed[2])
  refreshAvailability(bed[1], bed[2])
end
for _, e in ipairs(expired) do
  local bed = freed[e.facilityId .. "\n" .. e.bedClass]
  if bed then
    offerFreeBeds(bed[1], bed[2], offers)
    freed[e.facilityId .. "\n" .. e.bedClass] = nil
  end
end
-- A freed bed may have been closed (capacity lowered, facility paused): an expired case
-- still waiting must not wait while another fitting bed is free.
for _, e in ipairs(expired) do
  local v = redis.call("HMGET", key("case", e.caseId), "state", "queue", "district")
  if v[1] == "waiting" then
    local meta = redis.call("HMGET", key("queuemeta", v[2]), "alternatives", "caps")
    local nearest = redis.call("GET", key("near", v[3])) or ""
    local fid, class, kind = choose(meta[1] or "", meta[2] or "", nearest, ",,")
    if fid then
      redis.call("ZREM", key("queue", v[2]), e.caseId)
      if redis.call("ZCARD", key("queue", v[2])) == 0 then
        redis.call("SREM", key("queues"), v[2])
      end
      local transferId = transferIdFor(e.caseId)
      local expiresAt = holdBed(e.caseId, fid, class, transferId)
      table.insert(offers, { caseId = e.caseId, transferId = transferId, facilityId = fid, bedClass = class,
        route = kind, holdExpiresAt = expiresAt })
    end
  end
end
return record({ seq = seq, expired = expired, offers = offers, nextDue = nextDue() })
