-- Display links (docs/security.md, "Display links"): a revocable, read-only credential for a wall
-- screen that has no user. The token is shown once; only its SHA-256 is stored, like API keys.
CREATE TABLE display_links (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash   text        NOT NULL UNIQUE,
  created_by   uuid REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz,
  revoked_at   timestamptz
);

-- Revocation closes the link's open sockets at once in every API process: each one LISTENs.
-- Delivered on commit, and whoever revokes (the API or a hand-written UPDATE) is heard alike.
CREATE FUNCTION display_links_notify_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN
    PERFORM pg_notify('tower_display_revoked', NEW.id::text);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER display_links_notify_revoked AFTER UPDATE ON display_links
  FOR EACH ROW EXECUTE FUNCTION display_links_notify_revoked();

-- A display may be an audit actor: opening its link is recorded with the screen's address.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_kind_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_kind_check CHECK (actor_kind IN ('user', 'api_key', 'system', 'display'));
