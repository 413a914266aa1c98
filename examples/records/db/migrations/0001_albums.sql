-- examples/records: a record shop's albums.
CREATE TABLE album (
  id INTEGER PRIMARY KEY,
  artist TEXT NOT NULL,
  title TEXT NOT NULL,
  year INTEGER,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  UNIQUE (artist, title)
);
