-- The running sum of the on-hand ledger per SKU × location, kept by the database itself from the
-- ledger rows inserted (a statement trigger over the new rows), so the live invariant check compares
-- a bucket with its ledger in O(1) instead of summing the whole history of a hot SKU every batch.
CREATE TABLE ledger_totals (
  sku          text    NOT NULL,
  location_id  text    NOT NULL,
  on_hand      integer NOT NULL,
  PRIMARY KEY (sku, location_id)
);

INSERT INTO ledger_totals (sku, location_id, on_hand)
SELECT sku, location_id, sum(delta)::int FROM inventory_ledger WHERE bucket = 'onHand' GROUP BY sku, location_id;

CREATE FUNCTION ledger_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ledger_totals (sku, location_id, on_hand)
  SELECT sku, location_id, sum(delta)::int FROM new_rows WHERE bucket = 'onHand' GROUP BY sku, location_id
  ORDER BY sku, location_id
  ON CONFLICT (sku, location_id) DO UPDATE SET on_hand = ledger_totals.on_hand + EXCLUDED.on_hand;
  RETURN NULL;
END $$;

CREATE TRIGGER inventory_ledger_totals AFTER INSERT ON inventory_ledger
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_totals_add();
