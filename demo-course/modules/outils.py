"""Petits outils pour les notebooks du cours « Python pas à pas ».

C'est un module « ordinaire » : un seul fichier, que les notebooks importent
avec ``import outils`` ou ``from outils import encadrer``. Le dossier
``modules/`` du cours est sur ``sys.path`` quand les notebooks s'exécutent.
"""

import struct
import unicodedata
import zlib
from html import escape

VOYELLES = "aeiouy"


def encadrer(texte, motif="*"):
    """Renvoie ``texte`` entouré d'un cadre dessiné avec le caractère ``motif``.

    >>> print(encadrer("Bonjour"))
    ***********
    * Bonjour *
    ***********
    """
    lignes = texte.splitlines() or [""]
    largeur = max(len(ligne) for ligne in lignes)
    bord = motif * (largeur + 4)
    milieu = [f"{motif} {ligne:<{largeur}} {motif}" for ligne in lignes]
    return "\n".join([bord, *milieu, bord])


def sans_accents(texte):
    """Renvoie ``texte`` sans ses accents : « Été » devient « Ete »."""
    decompose = unicodedata.normalize("NFD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c))


def compter_voyelles(texte):
    """Renvoie un dictionnaire ``voyelle -> nombre d'occurrences`` dans ``texte``.

    Les majuscules et les lettres accentuées comptent comme la voyelle de base :
    « É » compte pour un « e ».
    """
    simple = sans_accents(texte).lower()
    return {voyelle: simple.count(voyelle) for voyelle in VOYELLES}


class Tableau:
    """Affiche un dictionnaire sous forme de tableau à deux colonnes.

    Dans un notebook, un objet qui définit ``_repr_html_`` s'affiche en HTML ;
    ailleurs, c'est ``__repr__`` qui sert.
    """

    def __init__(self, donnees, entetes=("clé", "valeur")):
        self.donnees = dict(donnees)
        self.entetes = entetes

    def __repr__(self):
        largeur = max([len(str(cle)) for cle in self.donnees] + [len(self.entetes[0])])
        lignes = [f"{self.entetes[0]:<{largeur}} | {self.entetes[1]}"]
        lignes += [f"{cle!s:<{largeur}} | {valeur}" for cle, valeur in self.donnees.items()]
        return "\n".join(lignes)

    def _repr_html_(self):
        tete = "".join(f"<th>{escape(str(e))}</th>" for e in self.entetes)
        corps = "".join(
            f"<tr><td>{escape(str(cle))}</td><td>{escape(str(valeur))}</td></tr>"
            for cle, valeur in self.donnees.items()
        )
        return f"<table><thead><tr>{tete}</tr></thead><tbody>{corps}</tbody></table>"


def _bloc_png(nature, donnees):
    """Un « chunk » PNG : longueur, nature, données, somme de contrôle CRC32."""
    crc = zlib.crc32(nature + donnees)
    return struct.pack(">I", len(donnees)) + nature + donnees + struct.pack(">I", crc)


def png_bandes(couleurs, largeur=24, hauteur=24):
    """Fabrique une image PNG faite de bandes verticales, une par couleur.

    ``couleurs`` est un itérable de triplets ``(rouge, vert, bleu)`` entre 0
    et 255. Renvoie les octets du fichier PNG, sans aucune bibliothèque
    extérieure : juste ``zlib`` et ``struct``.
    """
    couleurs = [bytes(rvb) for rvb in couleurs]
    ligne = b"\x00" + b"".join(rvb * largeur for rvb in couleurs)
    entete = struct.pack(">IIBBBBB", largeur * len(couleurs), hauteur, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _bloc_png(b"IHDR", entete)
        + _bloc_png(b"IDAT", zlib.compress(ligne * hauteur, 9))
        + _bloc_png(b"IEND", b"")
    )


if __name__ == "__main__":
    # ce bloc ne s'exécute que si l'on lance « python outils.py »,
    # pas lors d'un import : voir le notebook de la semaine 3 sur les modules
    print(encadrer("Le module outils\nfonctionne !"))
