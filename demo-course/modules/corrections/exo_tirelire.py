"""Semaine 3 : une classe Tirelire."""

from nbautoeval import Args, ClassExpression, ClassScenario, ClassStatement, ExerciseClass


# @BEG@ name=Tirelire
class Tirelire:
    """Une tirelire qui appartient à quelqu'un et qui compte ce qu'on y met."""

    def __init__(self, proprietaire):
        self.proprietaire = proprietaire
        self.depots = []

    def __repr__(self):
        return f"Tirelire({self.proprietaire!r}, {self.solde()} €)"

    def __len__(self):
        return len(self.depots)

    def deposer(self, montant):
        self.depots.append(montant)

    def solde(self):
        return sum(self.depots)

    def casser(self):
        total = self.solde()
        self.depots = []
        return total
# @END@


class Tirelire_ko(Tirelire):
    """Une version fausse : casser la tirelire ne la vide pas."""

    def casser(self):
        return self.solde()


exo_tirelire = ExerciseClass(
    Tirelire,
    [
        ClassScenario(
            Args("Alice"),
            ClassStatement("INSTANCE.deposer(2)"),
            ClassStatement("INSTANCE.deposer(0.5)"),
            "INSTANCE.solde()",
            "len(INSTANCE)",
        ),
        ClassScenario(
            Args("Bob"),
            ClassStatement("INSTANCE.deposer(5)"),
            ClassStatement("INSTANCE.deposer(1.25)"),
            ClassExpression("INSTANCE.casser()"),
            ClassExpression("INSTANCE.solde()"),
            "len(INSTANCE)",
            ClassStatement("INSTANCE.deposer(3)"),
            "INSTANCE.casser()",
        ),
        ClassScenario(
            Args("Zoé"),
            "INSTANCE.solde()",
            "CLASS('Yann').solde()",
        ),
    ],
    nb_examples=1,
    obj_name="tirelire",
)
