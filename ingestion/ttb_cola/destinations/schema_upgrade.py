"""Columns a newer version declares are added to a warehouse loaded by an older one.

Our tables freeze their columns (:data:`ttb_cola.records.SCHEMA_CONTRACT`): a column that appears
in the data without being declared is refused. dlt applies that to declared columns too when the
stored schema predates them, so every row of an upgraded warehouse would be refused. Before a run,
the columns the source declares that the stored schema's tables lack are added to that schema (dlt
then adds them to the destination's tables as nullable columns); nothing else changes.
"""

from __future__ import annotations

from dlt import Pipeline
from dlt.common.schema.utils import new_table
from dlt.sources import DltSource


def add_declared_columns(pipeline: Pipeline, source: DltSource) -> list[str]:
    """Add to the stored schema of ``source`` the declared columns its existing tables lack
    (``table.column`` names returned); a warehouse never loaded is left alone."""
    if not pipeline.default_schema_name:  # a fresh runner: the stored schema is in the destination
        pipeline.sync_destination()
    name = source.schema.name
    if name not in pipeline.schema_names:
        return []
    schema = pipeline.schemas[name]
    added: list[str] = []
    for resource in source.resources.values():
        table_name = resource.table_name
        if not isinstance(table_name, str) or table_name not in schema.tables:
            continue
        stored = schema.tables[table_name]["columns"]
        hinted = resource.columns  # the declared columns as given; computing the whole table schema costs more
        declared = hinted if isinstance(hinted, dict) else resource.compute_table_schema().get("columns", {})
        missing = [
            {"name": column, "data_type": hints["data_type"], "nullable": True}
            for column, hints in declared.items() if column not in stored and hints.get("data_type")
        ]
        if missing:
            schema.update_table(new_table(table_name, columns=missing))  # type: ignore[arg-type]
            added += [f"{table_name}.{column['name']}" for column in missing]
    return added
