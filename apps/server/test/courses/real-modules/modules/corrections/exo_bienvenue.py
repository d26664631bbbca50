"""Bienvenue : un module écrit pour Jupyter (IPython.display au premier niveau) avec un
CallRenderer maison qui lit call.args.args et call.args.keywords."""

from IPython.display import HTML, Markdown, display

from nbautoeval import Args, CallRenderer, ExerciseFunction, TextContent

display(Markdown("*Les messages suivent les usages de chaque langue.*"))
ENTETE = HTML("<b>Bienvenue</b>")


class PrenomsRenderer(CallRenderer):
    """Montre le nombre de prénoms plutôt que la liste entière."""

    def render(self, call):
        prenoms = call.args.args[0]
        langue = call.args.keywords.get("langue", "fr")
        texte = f"{self.visible_function_name(call)}({len(prenoms)} prénoms, langue={langue!r})"
        return TextContent(texte, is_code=True)


# @BEG@ name=bienvenue
def bienvenue(prenoms, langue="fr"):
    salut = {"fr": "Bienvenue", "en": "Welcome"}[langue]
    if len(prenoms) == 1:
        return f"{salut} {prenoms[0]} !"
    et = {"fr": "et", "en": "and"}[langue]
    return f"{salut} {', '.join(prenoms[:-1])} {et} {prenoms[-1]} !"
# @END@


def bienvenue_ko(prenoms, langue="fr"):
    return "Bienvenue " + " et ".join(prenoms) + " !"


exo_bienvenue = ExerciseFunction(
    bienvenue,
    [
        Args(["Ana"]),
        Args(["Ana", "Bob", "Chloé"]),
        Args(["Dan", "Eve"], langue="en"),
    ],
    call_renderer=PrenomsRenderer(),
)
