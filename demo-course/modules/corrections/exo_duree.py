"""Semaine 1 : écrire une durée donnée en secondes sous la forme HH:MM:SS."""

from nbautoeval import Args, ExerciseFunction


# @BEG@ name=duree
def duree(secondes):
    """Renvoie la durée ``secondes`` sous la forme ``'HH:MM:SS'``."""
    heures = secondes // 3600
    minutes = (secondes % 3600) // 60
    reste = secondes % 60
    return f"{heures:02}:{minutes:02}:{reste:02}"
# @END@


# @BEG@ name=duree more=bis
def duree_bis(secondes):
    """La même chose avec ``divmod``, qui calcule quotient et reste d'un coup."""
    minutes, reste = divmod(secondes, 60)
    heures, minutes = divmod(minutes, 60)
    return f"{heures:02}:{minutes:02}:{reste:02}"
# @END@


def duree_ko(secondes):
    """Une version fausse : elle oublie les zéros de tête."""
    heures = secondes // 3600
    minutes = (secondes % 3600) // 60
    return f"{heures}:{minutes}:{secondes % 60}"


exo_duree = ExerciseFunction(
    duree,
    [
        Args(3725),
        Args(59),
        Args(0),
        Args(60),
        Args(3600),
        Args(45296),
        Args(86399),
        Args(360000),
    ],
    nb_examples=2,
    column_headers=("appel", "résultat attendu", "votre résultat"),
)
