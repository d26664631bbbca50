/** Carnet's public URL scheme, in one place: pages, navigation and rendered links all use these. */

const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

export const catalogueUrl = (): string => '/';

export const courseUrl = (slug: string): string => `/courses/${encodeURIComponent(slug)}`;

/** A notebook or quiz page: `route` is its course path without extension. */
export const courseItemUrl = (slug: string, route: string): string => `${courseUrl(slug)}/${encodePath(route)}`;

/** A stored course file of one version: immutable, so cached for a year. */
export const courseFileUrl = (slug: string, tag: string, path: string): string =>
  `/files/${encodeURIComponent(slug)}/${tag}/${encodePath(path)}`;

/** The in-browser runtime's view of a version: its public files, and its `modules/` archive. */
export const runtimeFilesUrl = (slug: string, tag: string): string =>
  `/runtime/${encodeURIComponent(slug)}/${tag}/files.json`;
export const runtimeModulesUrl = (slug: string, tag: string): string =>
  `/runtime/${encodeURIComponent(slug)}/${tag}/modules.zip`;
