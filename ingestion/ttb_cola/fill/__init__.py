"""The page backlog: listed COLAs whose pages the destination does not hold as of their completed date
(:mod:`.backlog`), fetched in priority order (:mod:`.plan`) by ``ttb-cola fill`` and ``daily``
(:mod:`.command`)."""
