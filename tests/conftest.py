"""Suite-wide settings: tests send nothing anywhere (no dltHub telemetry, also in subprocesses)."""

import os

os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
