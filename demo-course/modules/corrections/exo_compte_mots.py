"""Semaine 2 : compter les mots d'un texte avec un dictionnaire."""

from nbautoeval import Args, ExerciseFunction, PPrintRenderer

PONCTUATION = ".,;:!?«»"


# @BEG@ name=compte_mots
def compte_mots(texte):
    """Renvoie un dictionnaire ``mot -> nombre d'apparitions`` dans ``texte``.

    Les mots sont mis en minuscules et débarrassés de la ponctuation collée.
    """
    compteur = {}
    for mot in texte.lower().split():
        mot = mot.strip(PONCTUATION)
        if mot:
            compteur[mot] = compteur.get(mot, 0) + 1
    return compteur
# @END@


def compte_mots_ko(texte):
    """Une version fausse : elle oublie de mettre les mots en minuscules."""
    compteur = {}
    for mot in texte.split():
        mot = mot.strip(PONCTUATION)
        if mot:
            compteur[mot] = compteur.get(mot, 0) + 1
    return compteur


exo_compte_mots = ExerciseFunction(
    compte_mots,
    [
        Args("le chat et le chien"),
        Args("Un, deux, trois ! Un, deux, trois !"),
        Args(""),
        Args("Il compte les jours, les dimanches et les étoiles de la nuit."),
        Args("  espaces   en   trop  "),
        Args("Oui ? OUI ! oui..."),
        Args("« Python » : python, PYTHON ; pYtHoN"),
    ],
    result_renderer=PPrintRenderer(width=40),
    font_size="small",
)

# Des textes que seul le serveur vérifie (convention de Carnet : <exercice>_hidden) : un apprenant
# qui recopierait les résultats attendus affichés par son navigateur échouerait sur ceux-ci.
exo_compte_mots_hidden = [
    Args("Rouge, ROUGE ! rouge ? Vert."),
    Args("« À la claire fontaine » ; à la ; FONTAINE"),
]
