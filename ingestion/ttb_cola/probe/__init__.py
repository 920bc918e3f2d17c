"""Discovery by TTB ID: the pure partition plan (:mod:`.plan`) and the runner that fetches it (:mod:`.runner`)."""
