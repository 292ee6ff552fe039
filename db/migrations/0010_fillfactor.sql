-- The buckets and the ledger totals are updated many times an hour per row; leaving room in each page
-- lets PostgreSQL update them in place (HOT: no new index entries), which is most of what a batch writes.
ALTER TABLE inventory SET (fillfactor = 50);
ALTER TABLE ledger_totals SET (fillfactor = 50);
ALTER TABLE reservations SET (fillfactor = 70);
