"""A destination factory whose client configuration is resolved from the config providers once.

dlt resolves a destination's client configuration (``[destination.<name>]`` in env and ``.dlt/*.toml``)
each time it opens a client or reads the destination's capabilities: several times in every extract,
normalize and load step, and for every load job. A value the factory is given explicitly skips that
lookup, so :func:`with_resolved_config` resolves the configuration once, when a command opens its
destination, and hands each resolved value to a new factory. The fields dlt sets on each client's
configuration itself (dataset name, working folder: marked ``NotResolved`` or ``Final`` in the spec; and
whether the client is another destination's staging) are left to it.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, get_args, get_origin, get_type_hints

from dlt.common.configuration import NotResolved

#: Set by dlt on the configuration of a client it opens as another destination's staging.
_SET_PER_CLIENT = frozenset({"as_staging_destination"})


def with_resolved_config(factory: Any) -> Any:
    """A factory of ``factory``'s class given every configurable value ``factory`` resolves to now."""
    config = factory.configuration(factory.spec(), accept_partial=True)
    hints = get_type_hints(factory.spec, include_extras=True)
    values = {
        key: config[key]
        for key in factory.spec.get_resolvable_fields()
        if key not in _SET_PER_CLIENT and not _bound_by_pipeline(hints[key])
    }
    return type(factory)(**values)


def _bound_by_pipeline(hint: Any) -> bool:
    if get_origin(hint) is Final:
        return True
    return get_origin(hint) is Annotated and any(isinstance(meta, NotResolved) for meta in get_args(hint)[1:])
