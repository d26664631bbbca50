"""Semaine 3 : une expression régulière pour les dates au format jj/mm/aaaa."""

from nbautoeval import Args, ExerciseRegexpGroups

# @BEG@ name=regexp_date
# deux chiffres, une barre, deux chiffres, une barre, quatre chiffres,
# et rien après : le $ final empêche « 25/12/20266 » de passer
regexp_date = r"(?P<jour>\d{2})/(?P<mois>\d{2})/(?P<annee>\d{4})$"
# @END@

# une version fausse : \d+ accepte n'importe quel nombre de chiffres,
# et sans $ final, la fin de la chaîne n'est pas vérifiée
regexp_date_ko = r"(?P<jour>\d+)/(?P<mois>\d+)/(?P<annee>\d+)"

exo_regexp_date = ExerciseRegexpGroups(
    "regexp_date",
    regexp_date,
    ["jour", "mois", "annee"],
    [
        Args("14/07/2026"),
        Args("01/01/1970"),
        Args("1/1/2026"),
        Args("14-07-2026"),
        Args("31/12/99"),
        Args("25/12/20266"),
        Args("le 03/02/2026"),
    ],
)
