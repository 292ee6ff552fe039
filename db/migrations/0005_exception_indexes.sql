-- The queue at a million rows (tests/scale/exceptions-queue-plan.test.ts, bench/exceptions-queue.ts).

-- status=all (and any status list that mixes resolved with unresolved): without an index in queue
-- order over every row, each page was a sequential scan of the whole table and a top-N sort.
CREATE INDEX exceptions_queue_all ON exceptions (due_at, id);

-- The summary counts the working set by type, status and severity: covered, it is an index-only scan
-- of the unresolved rows instead of one heap page visited per unresolved row.
CREATE INDEX exceptions_summary ON exceptions (type, status, severity) INCLUDE (due_at, opened_at)
  WHERE status <> 'resolved';

-- assignee=none: `assignee IS NULL` does not pin the first column of (assignee, due_at, id) for the
-- planner's ordering, so the unassigned queue was fetched whole and sorted on every page.
CREATE INDEX exceptions_queue_unassigned ON exceptions (due_at, id) WHERE status <> 'resolved' AND assignee IS NULL;
