"""Cell computation. Filled in by the benchmarks engine work."""


def recompute_dirty() -> int:
    raise NotImplementedError


def rebuild_all() -> int:
    raise NotImplementedError


def record_history() -> int:
    raise NotImplementedError
