"""Les corrections des exercices du cours « Python pas à pas ».

Chaque module ``exo_<nom>.py`` définit une solution de référence, des jeux de
données et un objet exercice du même nom, que le notebook importe :

    from corrections.exo_duree import exo_duree

Les solutions sont encadrées par des marqueurs ``# @BEG@ name=…`` / ``# @END@``
pour pouvoir les publier après coup ; chaque module contient aussi une variante
fausse ``<nom>_ko``, qui sert aux auteurs à vérifier que la correction
détecte bien les erreurs.
"""
