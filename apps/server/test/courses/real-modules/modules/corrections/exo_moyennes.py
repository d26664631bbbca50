"""Moyennes par élève : la solution de référence passe par pandas."""

import pandas as pd

from nbautoeval import Args, ExerciseFunction, PPrintRenderer


# @BEG@ name=moyennes
def moyennes(notes):
    lignes = [(eleve, note) for eleve, liste in notes.items() for note in liste]
    tableau = pd.DataFrame(lignes, columns=["eleve", "note"])
    return {eleve: round(float(m), 2) for eleve, m in tableau.groupby("eleve", sort=False)["note"].mean().items()}
# @END@


def moyennes_ko(notes):
    return {eleve: sum(liste) // len(liste) for eleve, liste in notes.items()}


exo_moyennes = ExerciseFunction(
    moyennes,
    [
        Args({"ana": [12, 15], "bob": [9, 10, 14]}),
        Args({"chloé": [20], "dan": [7.5, 8.25], "eve": [11, 13, 12, 10]}),
        Args({"fred": [3, 4, 4]}),
    ],
    result_renderer=PPrintRenderer(width=40),
)
