-- examples/records: the shop's queries. parigot-sqlc turns them into the
-- service records.db.v1.ShopDb (see docs/builtins.md).

-- name: AddAlbum :execlastid
INSERT INTO album (artist, title, year, price_cents)
VALUES (@artist, @title, @year, @price_cents);

-- name: GetAlbum :one
SELECT id, artist, title, year, price_cents FROM album WHERE id = @id;

-- name: AlbumsBy :many
SELECT id, title, year, price_cents FROM album
WHERE artist = @artist ORDER BY year, title;

-- name: RecordSale :execlastid
INSERT INTO sale (album_id, cents) VALUES (@album_id, @cents);

-- name: TopSellers :many
SELECT a.artist, a.title, COUNT(s.id) AS sold
FROM album a JOIN sale s ON s.album_id = a.id
GROUP BY a.id ORDER BY sold DESC, a.title LIMIT @n;

-- name: Revenue :one
SELECT COUNT(*) AS sales, COALESCE(SUM(cents), 0) AS cents FROM sale;
