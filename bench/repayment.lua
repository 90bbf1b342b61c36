-- wrk: POST a 1 000.00 so'm repayment to a random active loan, each with its own Idempotency-Key,
-- as clients do. Arguments: the file of loan ids (one per line), the token, today's date.
dofile("bench/random_ids.lua")
local ids, token, today, tag, counter = {}, nil, nil, nil, 0

function init(args)
  ids, token, today = load_ids(args[1]), args[2], args[3]
  tag = thread_number .. "-" .. os.time()
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
