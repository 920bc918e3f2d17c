"""Discovery by completed date: the registry's search client (:mod:`.client`), the splitting of a
search over the export cap (:mod:`.splitting`), the pure bookkeeping (:mod:`.plan`) and the runner
that fetches what a day lists (:mod:`.runner`)."""
