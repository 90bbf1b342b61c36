-- wrk: GET the case file of a random family (the family, members, mentor, projects, loans with
-- their status and grants). Arguments: the file of family ids (one per line), the token.
local ids, token = {}, nil
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)  -- a global of that thread
end

function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  token = args[2]
  math.randomseed(os.time() * 1000 + thread_number)
end

function request()
  return wrk.format("GET", "/api/v1/families/" .. ids[math.random(#ids)], { ["Authorization"] = "Bearer " .. token })
end
