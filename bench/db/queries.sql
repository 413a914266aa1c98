-- bench/db: the statements timed through a guest and natively.

-- name: GetItem :one
SELECT id, name, price_cents FROM item WHERE id = @id;

-- name: AddItem :execlastid
INSERT INTO item (name, price_cents) VALUES (@name, @price_cents);
