/**
 * @carnet/render — turns the course model into sanitised HTML fragments, once, at import.
 * Pure: no server or database code.
 */
export { renderCourse, RENDERER_VERSION, type RenderedItem } from './course.ts';
export { renderNotebook, type RenderedNotebook } from './notebook.ts';
export { renderQuiz } from './quiz.ts';
export { renderVideo, embedUrl, type RenderedVideo } from './video.ts';
export { CourseLinks, type RenderTarget } from './links.ts';
export { renderMarkdown, renderHtml } from './markdown.ts';
export { renderPost } from './post.ts';
export { sanitize, findUnsafeHtml, type UrlResolver, type ResolvedUrl } from './sanitize.ts';
export { highlight, codeBlock, languageOf } from './highlight.ts';
export { renderTex } from './math.ts';
export { ansiToHtml } from './outputs.ts';
export { createEnv, type Heading, type RenderEnv } from './env.ts';
export { escapeHtml, ui, UI_MARKER, stripMarkers, quizMarker, QUIZ_MARKER } from './html.ts';
