"""Fonctions utilitaires du package ``geometrie``."""

PRECISION = 2


def arrondir(valeur, chiffres=PRECISION):
    """Arrondit ``valeur`` à ``chiffres`` chiffres après la virgule."""
    return round(valeur, chiffres)
