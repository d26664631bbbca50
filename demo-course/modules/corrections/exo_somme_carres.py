"""Semaine 2 : la somme des carrés d'une liste de nombres, sur des listes tirées au hasard.

Les jeux de données sont tirés au hasard quand le module est chargé : chaque vérification par le
serveur se fait sur un nouveau tirage, que l'apprenant n'a jamais vu.
"""

import random

from nbautoeval import Args, ExerciseFunction


def carre(x):
    """Le carré de ``x`` : une aide donnée aux apprenants (le notebook l'importe)."""
    return x * x


# @BEG@ name=somme_carres
def somme_carres(nombres):
    """La somme des carrés des éléments de ``nombres``."""
    return sum(carre(x) for x in nombres)
# @END@


def somme_carres_ko(nombres):
    """Une version fausse : elle oublie les nombres négatifs."""
    return sum(carre(x) for x in nombres if x > 0)


def _liste():
    return [random.randint(-9, 9) for _ in range(random.randint(0, 6))]


exo_somme_carres = ExerciseFunction(
    somme_carres,
    [Args([1, 2, 3]), Args([-4, 5, -6]), Args([])] + [Args(_liste()) for _ in range(6)],
    nb_examples=2,
)
