-- wrk: GET the case file of a random family (the family, members, mentor, projects, loans with
-- their status and grants). Arguments: the file of family ids (one per line), the token.
dofile("bench/random_ids.lua")
local ids, token = {}, nil

function init(args)
  ids, token = load_ids(args[1]), args[2]
end

function request()
  return wrk.format("GET", "/api/v1/families/" .. ids[math.random(#ids)], { ["Authorization"] = "Bearer " .. token })
end
