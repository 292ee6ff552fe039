-- Exception triage: who claimed, resolved and escalated what, a version per change, the queue's
-- indexes, live notifications and undoable bulk actions.

ALTER TABLE exceptions
  ADD COLUMN source          text,
  ADD COLUMN acknowledged_at timestamptz,
  ADD COLUMN escalated_at    timestamptz,
  ADD COLUMN resolved_at     timestamptz,
  ADD COLUMN resolved_by     text,
  ADD COLUMN version         integer NOT NULL DEFAULT 1;

-- Every change bumps the version (optimistic checks, undo, live clients ordering updates).
CREATE FUNCTION exceptions_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  NEW.updated_at := clock_timestamp();
  RETURN NEW;
END $$;
CREATE TRIGGER exceptions_touch BEFORE UPDATE ON exceptions FOR EACH ROW EXECUTE FUNCTION exceptions_touch();

-- Live: the API processes LISTEN and push changed rows to browsers; delivered only on commit.
-- A change into `escalated` is also announced on its own channel (supervisors are notified).
CREATE FUNCTION exceptions_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tower_exceptions', NEW.id::text);
  -- Escalating sets escalated_at; an undo that only puts the status back does not announce it again.
  IF NEW.status = 'escalated' AND (TG_OP = 'INSERT' OR NEW.escalated_at IS DISTINCT FROM OLD.escalated_at) THEN
    PERFORM pg_notify('tower_escalations', NEW.id::text);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER exceptions_notify AFTER INSERT OR UPDATE ON exceptions FOR EACH ROW EXECUTE FUNCTION exceptions_notify();

-- The queue is read oldest-due first with (due_at, id) as the cursor. The unresolved part is what
-- supervisors work; partial indexes keep it small however many resolved rows accumulate.
DROP INDEX exceptions_queue;
CREATE INDEX exceptions_queue_open ON exceptions (due_at, id) WHERE status <> 'resolved';
CREATE INDEX exceptions_queue_type ON exceptions (type, due_at, id) WHERE status <> 'resolved';
CREATE INDEX exceptions_queue_assignee ON exceptions (assignee, due_at, id) WHERE status <> 'resolved';
CREATE INDEX exceptions_queue_status ON exceptions (status, due_at, id);
-- Escalation finds unresolved, unescalated rows past due.
CREATE INDEX exceptions_escalation_due ON exceptions (due_at) WHERE status <> 'resolved' AND escalated_at IS NULL;

-- A bulk action remembers what it changed, so that it can be undone for a few seconds.
CREATE TABLE exception_bulk_ops (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  actor_id    text,
  actor_label text,
  action      text        NOT NULL,
  params      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  undo_until  timestamptz NOT NULL,
  undone_at   timestamptz,
  -- [{ id, version (after the action), before: { status, severity, assignee, ... } }]
  changes     jsonb       NOT NULL
);

-- SLA per exception type in minutes, written from EXCEPTION_SLA_MINUTES at start; a type without a
-- row uses the spec's default. `openException` reads it, so the engine and the rules agree.
CREATE TABLE exception_slas (
  type    text PRIMARY KEY,
  minutes integer NOT NULL CHECK (minutes >= 0)
);

-- A count beyond tolerance that a supervisor approved sets the book like one within tolerance.
ALTER TABLE stock_counts ADD COLUMN approved boolean NOT NULL DEFAULT false;
