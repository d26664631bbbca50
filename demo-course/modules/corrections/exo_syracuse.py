"""Semaine 2 : un générateur pour la suite de Syracuse."""

from nbautoeval import ExerciseGenerator, GeneratorArgs


# @BEG@ name=syracuse
def syracuse(n):
    """Engendre la suite de Syracuse qui part de ``n``, jusqu'à 1 inclus."""
    yield n
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        yield n
# @END@


def syracuse_ko(n):
    """Une version fausse : elle oublie le premier terme."""
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        yield n


exo_syracuse = ExerciseGenerator(
    syracuse,
    [
        GeneratorArgs(6),
        GeneratorArgs(1),
        GeneratorArgs(16),
        GeneratorArgs(7),
        # la suite qui part de 27 compte 112 termes : on n'en regarde que des morceaux
        GeneratorArgs(27, islice=(0, 10)),
        GeneratorArgs(27, islice=(100, 112)),
    ],
)
