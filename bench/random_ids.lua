-- Shared by the wrk scripts (loaded with dofile): numbers wrk's threads, so that each seeds its
-- own random sequence, and reads the file of ids to pick from at random.
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)  -- a global of that thread
end

-- The ids of the file, one per line; seeds this thread's random numbers.
function load_ids(file)
  local ids = {}
  for line in io.lines(file) do ids[#ids + 1] = line end
  math.randomseed(os.time() * 1000 + thread_number)
  return ids
end
