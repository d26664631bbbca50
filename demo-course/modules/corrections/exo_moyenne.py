"""Semaine 2 : la moyenne d'une liste de notes, comparée à un millionième près.

La classe d'exercice du cours compare les résultats avec une tolérance : le navigateur ne peut pas
la reproduire, c'est donc le serveur qui corrige cet exercice.
"""

from nbautoeval import Args, ExerciseFunction


class ExerciseFunctionArrondi(ExerciseFunction):
    """Un exercice dont les résultats (des nombres) sont comparés à un millionième près."""

    def validate(self, expected, obtained):
        try:
            return abs(expected - obtained) < 1e-6
        except TypeError:
            return expected == obtained


# @BEG@ name=moyenne
def moyenne(notes):
    """La moyenne des ``notes``, ou 0 s'il n'y en a aucune."""
    if not notes:
        return 0
    return sum(notes) / len(notes)
# @END@


def moyenne_ko(notes):
    """Une version fausse : elle divise par un de trop."""
    return sum(notes) / (len(notes) + 1)


exo_moyenne = ExerciseFunctionArrondi(
    moyenne,
    [
        Args([12, 15, 9]),
        Args([20]),
        Args([]),
        Args([0.1, 0.2, 0.3]),
        Args([7, 8, 9, 10, 11, 12]),
        Args([13.5, 14.25, 16.75, 10]),
    ],
    nb_examples=2,
)
