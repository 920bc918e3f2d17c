-- One row per TTB ID of the raw `cola_listings` table, its latest fetch: both targets merge it on ttb_id
-- (the lake's Delta table is upserted), so no reader dedupe.
select * from {{ source('ttb', 'cola_listings') }}
