"""Le package ``geometrie`` : un petit exemple de package pour la semaine 3.

Un package est un dossier qui contient un fichier ``__init__.py``. Ce fichier
est exécuté au premier ``import geometrie`` ; ici, il remonte au niveau du
package les classes définies dans le module ``geometrie.formes``, pour que l'on
puisse écrire simplement ``from geometrie import Cercle``.
"""

from .formes import Carre, Cercle, Forme, Rectangle

__all__ = ["Forme", "Rectangle", "Carre", "Cercle"]
__version__ = "1.0"
