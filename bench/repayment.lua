-- wrk: POST a 1 000.00 so'm repayment to a random active loan, each with its own Idempotency-Key,
-- as clients do. Arguments: the file of loan ids (one per line), the token, today's date.
local ids, token, today, tag, counter = {}, nil, nil, nil, 0
local next_thread = 0

function setup(thread)
  next_thread = next_thread + 1
  thread:set("thread_number", next_thread)  -- a global of that thread
end

function init(args)
  for line in io.lines(args[1]) do ids[#ids + 1] = line end
  token, today = args[2], args[3]
  tag = thread_number .. "-" .. os.time()
  math.randomseed(os.time() * 1000 + thread_number)
end

function request()
  counter = counter + 1
  local id = ids[math.random(#ids)]
  return wrk.format("POST", "/api/v1/loans/" .. id .. "/repayments", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "wrk-" .. tag .. "-" .. counter,
  }, '{"amount":"1000.00","date":"' .. today .. '"}')
end
