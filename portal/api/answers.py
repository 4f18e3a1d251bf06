"""Rendered API answers kept by their ETag: this process's most recent ones first, then the shared cache.

An ETag names everything an answer depends on (the cells' version, the URL, the host, the media type, the
suppression thresholds), so a kept answer is never stale: when the cells change, the ETag changes and the old entry
is simply no longer asked for. That is what lets each process keep answers in memory without asking Redis
whether they are still good; the shared cache spares the other processes the first computation.
"""

import threading
from collections import OrderedDict

from django.core.cache import cache

Answer = tuple[str, bytes]  # (content type, body)


class AnswerCache:
    def __init__(self, prefix: str, *, max_bytes: int, seconds: int):
        self.prefix, self.max_bytes, self.seconds = prefix, max_bytes, seconds
        self._local: OrderedDict[str, Answer] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, etag: str) -> Answer | None:
        with self._lock:
            answer = self._local.get(etag)
            if answer is not None:
                self._local.move_to_end(etag)
                return answer
        answer = cache.get(self.prefix + etag)
        if answer is not None:
            self._keep(etag, answer)
        return answer

    def set(self, etag: str, answer: Answer) -> None:
        cache.set(self.prefix + etag, answer, self.seconds)
        self._keep(etag, answer)

    def clear(self) -> None:
        with self._lock:
            self._local.clear()
            self._size = 0

    def _keep(self, etag: str, answer: Answer) -> None:
        size = len(answer[1])
        if size > self.max_bytes // 8:  # a whole-table CSV: the shared cache is enough
            return
        with self._lock:
            if etag in self._local:
                return
            self._local[etag] = answer
            self._size += size
            while self._size > self.max_bytes:
                _, dropped = self._local.popitem(last=False)
                self._size -= len(dropped[1])


# Benchmark answers: a few megabytes of the most recent per process.
ANSWERS = AnswerCache("api:answer:", max_bytes=4 * 1024 * 1024, seconds=300)
