"""Glossary linking: a 3,000-word body (60 paragraphs, headings, links, code) and 100 terms
(each a label and two synonyms, some multi-word), linked as a resource page renders them.

Run: .venv/bin/python bench/bench_glossary.py [REPEATS]
Building the phrase list is timed apart (it happens once per language and data version; the
shared cache keeps it). The target is < 20 ms per body, median of REPEATS runs.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from smartregion.knowledge.glossary import link_phrases, phrases_build  # noqa: E402

TEXT = (
    "la commune publie ses données avec les habitants pour une gestion durable du territoire "
    "et une stratégie numérique qui associe les services les citoyens et les partenaires"
)
WORDS = TEXT.split()


def _terms() -> list[tuple[str, str, list[str]]]:
    return [
        (
            f"terme-{i}",
            f"/fr/knowledge/glossary/terme-{i}/",
            [f"notion {i}", f"concept{i} clé", f"syn{i}"],
        )
        for i in range(100)
    ]


def _body(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(3000)]
    for index in range(0, 3000, 25):  # a term every 25 words, half of them repeated
        words[index] = f"notion {rng.randrange(150)}"
    parts = []
    for start in range(0, 3000, 50):
        text = " ".join(words[start : start + 50])
        if start % 500 == 0:
            parts.append(f"<h2>Section notion {start // 500}</h2>")
        parts.append(f'<p>{text} <a href="/x/">notion 3</a> <code>syn4</code> <em>fin</em>.</p>')
    return "".join(parts)


def main(repeats: int) -> None:
    rng = random.Random(12)
    started = time.perf_counter()
    phrases = phrases_build(_terms())
    built = time.perf_counter() - started
    body = _body(rng)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        linked = link_phrases(body, phrases)
        timings.append(time.perf_counter() - started)
    links = linked.count('class="glossary-term"')
    print(f"body: {len(body.split())} words, {len(body)} characters; terms: 100 (300 phrases)")
    print(f"phrase list built in {built * 1000:.2f} ms (once per language and data version)")
    print(
        f"link_phrases: median {statistics.median(timings) * 1000:.2f} ms, "
        f"max {max(timings) * 1000:.2f} ms over {repeats} runs; {links} links; target < 20 ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
