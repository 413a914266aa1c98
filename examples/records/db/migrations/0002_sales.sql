-- ... and what it sold, at the price of the day.
CREATE TABLE sale (
  id INTEGER PRIMARY KEY,
  album_id INTEGER NOT NULL REFERENCES album(id),
  cents INTEGER NOT NULL
);
