import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCourse } from '../src/lib/import/import-course.ts';
import { selectOptionalCourseBySlug, selectOptionalLiveVersionBySlug } from '../src/models/courses.ts';
import { createTestDb, DIALECTS, type TestDb } from './databases.ts';
import { copyDemoCourse, DEMO_COURSE, makeCourse, notebook } from './fixtures.ts';

const TABLES = ['courses', 'course_versions', 'course_items', 'quiz_keys', 'blobs', 'course_files'] as const;

async function counts(t: TestDb): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await t.db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    result[table] = Number(row.n);
  }
  return result;
}

describe.each(DIALECTS)('import on %s', (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(dialect);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('imports the demo course and makes it live', async () => {
    const summary = await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    expect(summary.status).toBe('imported');
    expect(summary.errors).toEqual([]);
    expect(summary.counts.notebooks).toBeGreaterThanOrEqual(12);
    expect(summary.counts.quizzes).toBe(3);
    expect(summary.counts.exerciseNotebooks).toBe(4);
    expect(summary.counts.videos).toBe(2);
    // The demo course has exactly one deliberate problem: the malformed closing tag of quiz.md.
    expect(summary.warnings.map((w) => w.code)).toEqual(['quiz.malformed-closing-tag']);
    const live = await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo');
    expect(live?.id).toBe(summary.versionId);
    expect(live?.title).toBe(summary.title);
    const items = await t.db.kysely
      .selectFrom('course_items')
      .select(['route', 'kind'])
      .where('version_id', '=', live!.id)
      .execute();
    expect(items.map((i) => i.route)).toContain('w1/w1-s1-c1-nombres');
    expect(items.filter((i) => i.kind === 'quiz')).toHaveLength(3);
  });

  it('is a no-op when the content has not changed', async () => {
    const before = await counts(t);
    const again = await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
    expect(again.status).toBe('unchanged');
    expect(await counts(t)).toEqual(before);
  });

  it('creates a new live version when the content changes, sharing unchanged files', async () => {
    const copy = copyDemoCourse();
    try {
      const before = await counts(t);
      const first = await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo');
      appendFileSync(join(copy.dir, 'w1/w1-s1-c1-nombres.md'), '\n+++\n\nUn paragraphe ajouté.\n');
      const summary = await importCourse(t.db, { source: copy.dir, slug: 'demo', dataDir: t.dataDir });
      expect(summary.status).toBe('imported');
      const live = await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo');
      expect(live!.id).not.toBe(first!.id);
      const after = await counts(t);
      expect(after['course_versions']).toBe(before['course_versions']! + 1);
      // Content-addressed: only the changed notebook needs a new blob.
      expect(after['blobs']).toBe(before['blobs']! + 1);
      const page = await t.db.kysely
        .selectFrom('course_items')
        .select('html')
        .where('version_id', '=', live!.id)
        .where('route', '=', 'w1/w1-s1-c1-nombres')
        .executeTakeFirstOrThrow();
      expect(page.html).toContain('Un paragraphe ajouté.');

      // Importing the first content again makes its stored version live without a new one.
      const back = await importCourse(t.db, { source: DEMO_COURSE, slug: 'demo', dataDir: t.dataDir });
      expect(back.status).toBe('restored');
      expect((await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!.id).toBe(first!.id);
      expect((await counts(t))['course_versions']).toBe(after['course_versions']);
    } finally {
      copy.cleanup();
    }
  });

  it('writes nothing and keeps the previous version live when the course has an error', async () => {
    const copy = copyDemoCourse();
    try {
      const before = await counts(t);
      const live = await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo');
      // A new valid notebook (would add rows) and a broken quiz (a single-choice with two answers).
      writeFileSync(join(copy.dir, 'w1/w1-s9-c1-nouveau.md'), notebook('Nouveau'));
      writeFileSync(join(copy.dir, 'w2/w2-s9-q1-casse.quiz'), 'Titre\n=====\n\n(x) un\n(x) deux\n');
      const summary = await importCourse(t.db, { source: copy.dir, slug: 'demo', dataDir: t.dataDir });
      expect(summary.status).toBe('failed');
      expect(summary.errors).toEqual([
        expect.objectContaining({ file: 'w2/w2-s9-q1-casse.quiz', line: 4, code: 'quiz.single-correct-count' }),
      ]);
      expect(await counts(t)).toEqual(before);
      expect((await selectOptionalLiveVersionBySlug(t.db.kysely, 'demo'))!.id).toBe(live!.id);
    } finally {
      copy.cleanup();
    }
  });

  it('validates with --check without writing anything', async () => {
    const fresh = await createTestDb(dialect);
    try {
      const summary = await importCourse(fresh.db, {
        source: DEMO_COURSE,
        slug: 'demo',
        check: true,
        dataDir: fresh.dataDir,
      });
      expect(summary.status).toBe('checked');
      expect(Object.values(await counts(fresh)).every((n) => n === 0)).toBe(true);
    } finally {
      await fresh.cleanup();
    }
  });

  it('names the file, line and column of a broken notebook', async () => {
    const course = makeCourse({
      'w1/w1-s1-c1-ok.md': notebook('Correct'),
      'w1/w1-s2-c1-casse.md': '---\nkernelspec:\n  name: python3\n---\n\n# Cassé\n\n+++ {"tags": [oops]}\n\nTexte\n',
    });
    try {
      const summary = await importCourse(t.db, { source: course.dir, slug: 'broken', dataDir: t.dataDir });
      expect(summary.status).toBe('failed');
      expect(summary.errors[0]).toMatchObject({
        file: 'w1/w1-s2-c1-casse.md',
        line: 8,
        column: 5,
        code: 'myst.cell-metadata-json',
      });
      expect(await selectOptionalCourseBySlug(t.db.kysely, 'broken')).toBeNull();
    } finally {
      course.cleanup();
    }
  });

  it('reports a 20 KB notebook whose metadata nests 10,000 lists at its file and line, and writes nothing', async () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const course = makeCourse({
      'w1/w1-s1-c1-ok.md': notebook('Correct'),
      'w1/w1-s2-c1-profond.ipynb': `{\n "nbformat": 4,\n "nbformat_minor": 5,\n "metadata": {"x": ${deep}},\n "cells": []\n}\n`,
      'myst.yml': `project:\n  title: ${'['.repeat(5_000)}${']'.repeat(5_000)}\n`,
    });
    try {
      const summary = await importCourse(t.db, { source: course.dir, slug: 'deep', dataDir: t.dataDir });
      expect(summary.status).toBe('failed');
      expect(summary.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ file: 'w1/w1-s2-c1-profond.ipynb', line: 4, code: 'ipynb.too-deep' }),
          expect.objectContaining({ file: 'myst.yml', line: 2, code: 'yaml.too-deep' }),
        ]),
      );
      expect(await selectOptionalCourseBySlug(t.db.kysely, 'deep')).toBeNull();
    } finally {
      course.cleanup();
    }
  });

  it('never imports a file outside the course through a symbolic link', async () => {
    const course = makeCourse({ 'w1/w1-s1-c1-intro.md': notebook('Intro'), 'outside-secret.txt': 'SECRET' });
    const outside = makeCourse({ 'secret.txt': 'TOP SECRET' });
    try {
      symlinkSync(join(outside.dir, 'secret.txt'), join(course.dir, 'w1', 'data.txt'));
      symlinkSync('/etc', join(course.dir, 'etc'));
      const summary = await importCourse(t.db, { source: course.dir, slug: 'links', dataDir: t.dataDir });
      expect(summary.status).toBe('imported');
      expect(
        summary.warnings
          .filter((w) => w.code === 'course.link-outside')
          .map((w) => w.file)
          .sort(),
      ).toEqual(['etc', 'w1/data.txt']);
      const files = await t.db.kysely
        .selectFrom('course_files')
        .select('path')
        .where('version_id', '=', summary.versionId!)
        .execute();
      expect(files.map((f) => f.path).sort()).toEqual(['outside-secret.txt', 'w1/w1-s1-c1-intro.md']);
    } finally {
      course.cleanup();
      outside.cleanup();
    }
  });

  it('imports from a git URL (file://) and follows new commits', async () => {
    const repo = makeCourse({ 'w1/w1-s1-c1-intro.md': notebook('Depuis git') });
    const git = (...args: string[]): string =>
      execFileSync('git', args, {
        cwd: repo.dir,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@e',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@e',
        },
      }).toString();
    try {
      git('init', '-q', '-b', 'main');
      git('add', '.');
      git('commit', '-qm', 'first');
      const url = `file://${repo.dir}`;
      const first = await importCourse(t.db, { source: url, slug: 'from-git', dataDir: t.dataDir });
      expect(first.status).toBe('imported');
      expect(first.commit).toBe(git('rev-parse', 'HEAD').trim());

      mkdirSync(join(repo.dir, 'w2'));
      writeFileSync(join(repo.dir, 'w2/w2-s1-c1-suite.md'), notebook('La suite'));
      git('add', '.');
      git('commit', '-qm', 'second');
      const second = await importCourse(t.db, { source: url, slug: 'from-git', dataDir: t.dataDir });
      expect(second.status).toBe('imported');
      expect(second.counts.notebooks).toBe(2);
      expect(second.commit).toBe(git('rev-parse', 'HEAD').trim());
      expect((await importCourse(t.db, { source: url, slug: 'from-git', dataDir: t.dataDir })).status).toBe(
        'unchanged',
      );
    } finally {
      repo.cleanup();
    }
  });
});
