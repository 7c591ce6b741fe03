"""Answers to GET requests kept until the store changes: officials ask the same street's
questions again and again, and an answer is the same until a load changes the graph."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    revision: Hashable
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


class AnswerCache:
    """A small LRU of answers, each valid only for the store revision it was made at."""

    def __init__(self, entries: int = 512, largest: int = 2 * 1024 * 1024):
        self.entries = entries
        self.largest = largest
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, revision: Hashable) -> Answer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is None or answer.revision != revision:
                return None
            self._answers.move_to_end(key)
            return answer

    def put(self, key: Hashable, answer: Answer) -> None:
        if len(answer.body) > self.largest:
            return
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.entries:
                self._answers.popitem(last=False)
