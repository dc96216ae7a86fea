-- release: a case gives up whatever it has (a held bed, an occupied bed or a queue place),
-- and a freed bed is offered at once to the best waiting case that fits it.
-- KEYS[1] ledger sequence key
-- ARGV[1..4] prefix, opId, event time ms, hold window ms (see common.lua)
-- ARGV[5] caseId
-- Returns JSON: {seq, released = {state, ...} or absent, offers = [...]}
local done = recorded()
if done then
  return done
end
local caseId = ARGV[5]
local flat = redis.call("HGETALL", key("case", caseId))
if #flat == 0 then
  return record({ seq = num(redis.call("GET", KEYS[1])), offers = {} })
end
local released = {}
for i = 1, #flat, 2 do
  released[flat[i]] = flat[i + 1]
end
local seq = nextSeq()
local offers = {}
redis.call("DEL", key("case", caseId))
if released.state == "waiting" then
  redis.call("ZREM", key("queue", released.queue), caseId)
  if redis.call("ZCARD", key("queue", released.queue)) == 0 then
    redis.call("SREM", key("queues"), released.queue)
  end
else
  local fid, class = released.facilityId, released.bedClass
  if released.state == "held" then
    redis.call("HINCRBY", key("fac", fid), "held:" .. class, -1)
    redis.call("ZREM", key("holds"), caseId)
  else
    redis.call("HINCRBY", key("fac", fid), "occ:" .. class, -1)
  end
  shrinkToCapacity(fid, class)
  refreshAvailability(fid, class)
  offerFreeBeds(fid, class, offers)
end
return record({ seq = seq, released = released, offers = offers })
