"""Quelques formes géométriques planes.

Notez l'import *relatif* ci-dessous : ``from .mesures import arrondir``. Le
point désigne le package courant (``geometrie``) ; ainsi le package continue
de fonctionner même si on le renomme ou si on le déplace.
"""

from math import pi

from .mesures import arrondir


class Forme:
    """La classe de base : une forme sait calculer son aire et son périmètre."""

    nom = "forme"

    def aire(self):
        raise NotImplementedError("chaque forme doit définir aire()")

    def perimetre(self):
        raise NotImplementedError("chaque forme doit définir perimetre()")

    def decrire(self):
        return f"{self.nom} d'aire {arrondir(self.aire())} et de périmètre {arrondir(self.perimetre())}"


class Rectangle(Forme):
    nom = "rectangle"

    def __init__(self, largeur, hauteur):
        self.largeur = largeur
        self.hauteur = hauteur

    def __repr__(self):
        return f"Rectangle({self.largeur}, {self.hauteur})"

    def aire(self):
        return self.largeur * self.hauteur

    def perimetre(self):
        return 2 * (self.largeur + self.hauteur)


class Carre(Rectangle):
    nom = "carré"

    def __init__(self, cote):
        super().__init__(cote, cote)

    def __repr__(self):
        return f"Carre({self.largeur})"


class Cercle(Forme):
    nom = "cercle"

    def __init__(self, rayon):
        self.rayon = rayon

    def __repr__(self):
        return f"Cercle({self.rayon})"

    def aire(self):
        return pi * self.rayon**2

    def perimetre(self):
        return 2 * pi * self.rayon
