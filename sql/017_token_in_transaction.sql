-- A request's token is checked again inside the request's own transaction, in the statement
-- that sets the actor: the server may remember which user a token belongs to (and so take one
-- pooled connection per request instead of two), but a token revoked a moment ago, or a user
-- whose role is no longer the one remembered, is refused at once. NULL (the CLI) has no token.
-- It reads api_tokens, which the request roles may not, so it runs with its owner's rights.
CREATE FUNCTION ravnaq_token_in_force(token text, user_id uuid, role text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT token IS NULL OR EXISTS (
        SELECT 1 FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = sha256(convert_to(token, 'UTF8')) AND t.revoked_at IS NULL
          AND u.id = ravnaq_token_in_force.user_id AND u.role = ravnaq_token_in_force.role)
$$;
