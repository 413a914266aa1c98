-- The queries of the database tests: every kind, every type, NULLs,
-- expressions, a LEFT JOIN.

-- name: AddArtist :execlastid
INSERT INTO artist (name) VALUES (@name);

-- name: AddRecord :execlastid
INSERT INTO record (artist_id, title, year, price_cents, quantity, cover,
                    rating, is_sealed)
VALUES (@artist_id, @title, @year, @price_cents, @quantity, sqlc.narg(cover),
        @rating, @is_sealed);

-- name: GetRecord :one
SELECT r.id, r.title, r.year, a.name AS artist, r.price_cents, r.quantity,
       r.cover, r.rating, r.is_sealed
FROM record r JOIN artist a ON a.id = r.artist_id
WHERE r.id = @id;

-- name: ListByArtist :many
SELECT r.id, r.title, r.year FROM record r
WHERE r.artist_id = sqlc.arg(artist_id)
  AND r.year BETWEEN @from_year AND @to_year
ORDER BY r.year, r.id LIMIT @max;

-- name: Stock :one
SELECT COUNT(*) AS records, SUM(price_cents * quantity) AS value_cents,
       AVG(rating) AS avg_rating, MAX(year) AS latest,
       CASE WHEN COUNT(*) > 0 THEN 'open' ELSE 'empty' END AS state
FROM record WHERE quantity > 0;

-- name: Sell :execrows
UPDATE record SET quantity = quantity - @n WHERE id = @id AND quantity >= @n;

-- name: DeleteRecord :exec
DELETE FROM record WHERE id = @id;

-- name: Discography :many
SELECT a.name, r.title FROM artist a LEFT JOIN record r ON r.artist_id = a.id
WHERE a.name LIKE @pattern
ORDER BY a.name, r.title;
