/**
 * @carnet/course-format — reads a course folder into a typed, checked model.
 * Pure: no server, no database. Every problem is a Diagnostic with file, line and column.
 */
export * from './diagnostics.ts';
export * from './notebook/model.ts';
export { parseMystNotebook } from './notebook/myst.ts';
export { parseIpynbNotebook } from './notebook/ipynb.ts';
export type * from './quiz/model.ts';
export { parseQuiz, toPublicQuiz } from './quiz/parse.ts';
export * from './naming.ts';
export * from './contents.ts';
export * from './manifests.ts';
export * from './exercises.ts';
export * from './structure.ts';
export * from './snapshot.ts';
export * from './vfs.ts';
export * from './titles.ts';
export * from './course.ts';
export * from './video/srt.ts';
export * from './video/sources.ts';
export * from './video/sequences.ts';
