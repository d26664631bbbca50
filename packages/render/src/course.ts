import type { CourseItem, CourseModel, Diagnostic } from '@carnet/course-format';
import { toPublicQuiz } from '@carnet/course-format';
import type { Heading } from './env.ts';
import { CourseLinks, type RenderTarget } from './links.ts';
import { renderNotebook } from './notebook.ts';
import { renderQuiz } from './quiz.ts';
import { renderVideo } from './video.ts';

/** Bumped whenever rendered output changes, so that re-importing the same content re-renders it. */
export const RENDERER_VERSION = '8';

export interface RenderedItem {
  item: CourseItem;
  /** The page body: sanitised HTML with UI-string markers (see `ui`). */
  html: string;
  headings: Heading[];
  /** Notebooks and video pages: their code cells (id, tags, original source). */
  codeCells: { id: string; tags: string[]; source: string }[];
  /** Video pages: the WebVTT files made from their subtitles, stored as course files. */
  captions: { path: string; language: string; vtt: string }[];
}

/** Renders every item of a course; problems are added to `diagnostics`. */
export function renderCourse(course: CourseModel, target: RenderTarget, diagnostics: Diagnostic[]): RenderedItem[] {
  const links = new CourseLinks(course, target);
  const language = course.meta.language;
  return course.items.map((item) => {
    if (item.type === 'notebook') {
      const rendered = renderNotebook(item.notebook, links, language, diagnostics);
      return { item, ...rendered, captions: [] };
    }
    if (item.type === 'video') return { item, ...renderVideo(item, links, language, diagnostics) };
    return {
      item,
      html: renderQuiz(toPublicQuiz(item.quiz), links, language, diagnostics),
      headings: [],
      codeCells: [],
      captions: [],
    };
  });
}
