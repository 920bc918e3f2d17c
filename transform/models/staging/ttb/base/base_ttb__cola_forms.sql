-- One row per TTB ID of the raw `cola_forms` table: the latest load's row wins.
{{ latest_rows(source('ttb', 'cola_forms'), 'fetched_at') }}
