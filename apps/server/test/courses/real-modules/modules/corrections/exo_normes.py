"""Normes de vecteurs : un ExerciseFunctionNumpy (tableaux numpy, comparaison à une tolérance près)."""

import numpy as np

from nbautoeval import Args, ExerciseFunctionNumpy


# @BEG@ name=normes
def normes(points):
    return np.sqrt((points ** 2).sum(axis=1))
# @END@


def normes_ko(points):
    return (points ** 2).sum(axis=1)


exo_normes = ExerciseFunctionNumpy(
    normes,
    [
        Args(np.array([[3.0, 4.0], [1.0, 1.0]])),
        Args(np.array([[0.0, 0.0], [5.0, 12.0], [-8.0, 6.0]])),
        Args(np.arange(6, dtype="float64").reshape(3, 2)),
    ],
    nb_examples=1,
)
