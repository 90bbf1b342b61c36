-- Idempotency keys expire (issue 18, item 7): `ravnaq serve` deletes the keys older than
-- `--idempotency-days` (30 by default) in small batches in the background
-- (Sources/RavnaqCore/Support/IdempotencyKeySweeper.swift); this index finds them.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
