"""Per-COLA isolation: a COLA that cannot be read is parked (dead-letter table ``crawl_parked``) and
the crawl walks on; parked COLAs are retried by later runs until they load."""
