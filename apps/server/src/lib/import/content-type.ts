import { lookup } from 'mime-types';

const OVERRIDES: Record<string, string> = {
  md: 'text/markdown',
  ipynb: 'application/x-ipynb+json',
  py: 'text/x-python',
  srt: 'application/x-subrip',
  quiz: 'text/plain',
  yml: 'text/yaml',
  yaml: 'text/yaml',
  csv: 'text/csv',
};

/** The Content-Type to serve a course file with (text in UTF-8). */
export function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const type = OVERRIDES[ext] ?? (lookup(path) || 'application/octet-stream');
  const textual = type.startsWith('text/') || /(json|xml|javascript|subrip)/.test(type);
  return textual ? `${type}; charset=utf-8` : type;
}
