import type { CourseModel, Diagnostic } from '@carnet/course-format';
import type { SealOutcome } from '../exercises/seal.ts';
import { hiddenChecks } from '../exercises/seals.ts';

/** The sentence staff and authors read for an exercise whose verified grade rests on nothing hidden. */
export const FORGEABLE =
  'has no hidden check: its verified grade can be forged by copying the expected values shown (carnet.yml hidden-checks or hidden-datasets, ADR 034)';

/**
 * What sealing tells the author, as import warnings at the module's file (or carnet.yml's line):
 * a module that failed to run, an exercise that cannot be checked or has no hidden check, and
 * the seal's own problems (a hidden dataset that failed, a helper that cannot be handed out).
 */
export function sealWarnings(course: CourseModel, seals: readonly SealOutcome[]): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  const at = (file: string, line: number, code: string, message: string): void => {
    warnings.push({ severity: 'warning', code, message, file, line, column: 1 });
  };
  for (const seal of seals) {
    const module = course.exerciseModules.find((m) => m.module === seal.module);
    const path = module?.path ?? seal.module;
    const lineOf = (attribute: string): number => module?.definitions.find((d) => d.name === attribute)?.line ?? 1;
    if (seal.status === 'failed') {
      // A missing package: at the line of its import, when it is in the module itself.
      const line = seal.origin?.file === path ? seal.origin.line : 1;
      at(path, line, 'exercise.failed', `the module failed to run, its exercises cannot be checked: ${seal.reason}`);
      continue;
    }
    for (const problem of seal.seal?.problems ?? []) at(path, 1, 'exercise.helper', problem);
    for (const helper of seal.seal?.helpers ?? []) {
      if (helper.solution && helper.module === seal.module)
        at(
          path,
          1,
          'exercise.solution-handed-out',
          `${helper.name} is an exercise's solution, and a notebook imports it: every learner who opens that notebook receives its source`,
        );
    }
    for (const exercise of seal.seal?.exercises ?? []) {
      const line = lineOf(exercise.attribute);
      for (const problem of exercise.problems) {
        const yml = /^carnet\.yml line (\d+):/.exec(problem);
        if (yml) at('carnet.yml', Number(yml[1]), 'carnet.hidden-datasets', problem.slice(yml[0].length).trim());
        else at(path, line, 'exercise.problem', `${exercise.attribute}: ${problem}`);
      }
      if (exercise.mode === 'none') {
        at(
          path,
          line,
          'exercise.unverifiable',
          `${exercise.attribute} cannot be checked on this platform: ${exercise.reason}`,
        );
      } else if (hiddenChecks(exercise) === 0) {
        at(path, line, 'exercise.forgeable', `${exercise.attribute} ${FORGEABLE}`);
      }
    }
  }
  return warnings;
}
