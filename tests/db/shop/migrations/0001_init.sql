-- The shop of the database tests: artists and their records.
CREATE TABLE artist (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE record (
  id INTEGER PRIMARY KEY,
  artist_id INTEGER NOT NULL REFERENCES artist(id),
  title TEXT NOT NULL,
  year INTEGER,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  quantity INTEGER NOT NULL DEFAULT 0,
  cover BLOB,
  rating REAL
);
