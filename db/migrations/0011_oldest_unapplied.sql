-- The oldest events still waiting for their first application, from `floor` on: what every apply
-- batch takes. The statistics of the inbox usually say "hardly anything unapplied" (they were taken
-- when the workers had caught up), so for the plain query the planner picks a bitmap scan of EVERY
-- unapplied row and a sort; under a backlog of 50,000 events that cost ~25 ms a batch, growing with
-- the backlog. Walking the partial index in order and stopping after `n` rows is what we want
-- whatever the statistics say, so the function turns the bitmap scan and the sort off for itself.
CREATE FUNCTION oldest_unapplied(floor bigint, n integer) RETURNS SETOF bigint
LANGUAGE sql STABLE
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
  SELECT seq FROM events
  WHERE applied_at IS NULL AND deferred_at IS NULL AND seq >= floor
  ORDER BY seq
  LIMIT n
$$;
