"""Short pauses of Python's cycle collector in a long-running process.

A full collection walks every object the collector tracks. Most of a process's objects are made
at start (modules, classes, the contracts' schemas and validators) and live until it stops, so
walking them again and again is wasted: under load the consent service paused 50 to 140 ms for
it every few seconds, and every message and request waited meanwhile. Once a process has started,
what is alive then is moved out of the collector's sight (`gc.freeze`), and a full collection
walks only what came since.
"""

import gc


def freeze_start_up_objects() -> None:
    """Collect what starting left behind, then keep what is alive out of later collections."""
    gc.collect()
    gc.freeze()
