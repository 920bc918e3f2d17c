-- One row per TTB ID of the raw `cola_listings` table: the latest load's row wins.
{{ latest_rows(source('ttb', 'cola_listings'), 'listed_at') }}
