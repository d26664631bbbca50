"""Histogramme : la référence compte avec matplotlib (sans écran : le backend Agg)."""

import matplotlib.pyplot as plt

from nbautoeval import Args, ExerciseFunction

# Comme dans un notebook : une figure d'exemple, dessinée à l'import.
_figure, _axes = plt.subplots()
_axes.hist([1, 2, 2, 3, 3, 3], bins=3)
plt.close(_figure)


# @BEG@ name=histogramme
def histogramme(valeurs, classes):
    figure, axes = plt.subplots()
    hauteurs, _, _ = axes.hist(valeurs, bins=classes)
    plt.close(figure)
    return [int(h) for h in hauteurs]
# @END@


def histogramme_ko(valeurs, classes):
    return [len(valeurs) // classes] * classes


exo_histogramme = ExerciseFunction(
    histogramme,
    [
        Args([1, 2, 2, 3, 3, 3], 3),
        Args([0.5, 1.5, 1.5, 9.0, 10.0], 2),
        Args(list(range(10)), 5),
    ],
)
