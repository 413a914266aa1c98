-- bench/db: one table of items, what the database suite reads and writes.
CREATE TABLE item (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  price_cents INTEGER NOT NULL
);
