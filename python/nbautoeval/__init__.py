"""Carnet's clean-room exercise library, with the API of nbautoeval 1.7 (see README.md).

Course modules write `from nbautoeval import ExerciseFunction, Args` and run unchanged, on
CPython 3.11+ and in Pyodide; example() and correction() show HTML tables and record results.
"""

from .args import Args, GeneratorArgs
from .content import Content, TextContent
from .encoding import Unsealable
from .exercise import (
    Exercise,
    ExerciseFunction,
    ExerciseFunctionNumpy,
    ExerciseGenerator,
    ExerciseRegexp,
    ExerciseRegexpGroups,
    SolutionUnavailable,
)
from .exercise_class import ClassExpression, ClassScenario, ClassStatement, ExerciseClass
from .renderers import CallRenderer, MultilineRenderer, PPrintCallRenderer, PPrintRenderer, Renderer
from .table import ExerciseResult, results, set_display_hook, set_result_hook

__version__ = "1.7.0+carnet"

__all__ = [
    "Args",
    "CallRenderer",
    "ClassExpression",
    "ClassScenario",
    "ClassStatement",
    "Content",
    "Exercise",
    "ExerciseClass",
    "ExerciseFunction",
    "ExerciseFunctionNumpy",
    "ExerciseGenerator",
    "ExerciseRegexp",
    "ExerciseRegexpGroups",
    "ExerciseResult",
    "GeneratorArgs",
    "MultilineRenderer",
    "PPrintCallRenderer",
    "PPrintRenderer",
    "Renderer",
    "SolutionUnavailable",
    "TextContent",
    "Unsealable",
    "results",
    "set_display_hook",
    "set_result_hook",
]
